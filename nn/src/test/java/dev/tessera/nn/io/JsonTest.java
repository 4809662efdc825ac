package dev.tessera.nn.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {
    @Test
    void parsesEveryKindOfValue() throws Json.SyntaxException {
        Object v = Json.parse(" {\"s\":\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00\", \"i\":-12, \"z\":0,"
                + " \"big\":12345678901234567890, \"d\":1.5e2, \"e\":-0.25, \"t\":true, \"f\":false, \"n\":null,"
                + " \"a\":[1,[],{}], \"o\":{}} \n\t\r");
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) v;
        assertEquals(List.of("s", "i", "z", "big", "d", "e", "t", "f", "n", "a", "o"), List.copyOf(m.keySet()));
        assertEquals("a\"b\\c/d\b\f\n\r\t\u00e9\uD83D\uDE00", m.get("s"));
        assertEquals(-12L, m.get("i"));
        assertEquals(0L, m.get("z"));
        assertEquals(new BigInteger("12345678901234567890"), m.get("big"));
        assertEquals(150.0, m.get("d"));
        assertEquals(-0.25, m.get("e"));
        assertEquals(Boolean.TRUE, m.get("t"));
        assertEquals(Boolean.FALSE, m.get("f"));
        assertSame(Json.NULL, m.get("n"));
        assertEquals(List.of(1L, List.of(), Map.of()), m.get("a"));
    }

    @Test
    void rejectsWhatRfc8259Rejects() {
        String[] bad = {"", "{", "{\"a\"}", "{\"a\":}", "{\"a\":1,}", "[1,]", "[01]", "[1.]", "[.5]", "[1e]", "[-]",
            "[+1]", "{'a':1}", "{a:1}", "[\"\t\"]", "[\"\\x\"]", "[\"\\u12\"]", "[\"\\ud800\"]", "[\"\\udc00\"]",
            "[\"\\ud800\\u0041\"]", "[tru]", "[nul]", "[1] [2]", "[1] x", "{\"a\":1 \"b\":2}", "[\"abc",
            "/* c */ {}", "{\"a\":1,\"a\":2}", "[NaN]", "[Infinity]", "[\"\\uGGGG\"]", "\u00a0[]"};
        for (String s : bad) {
            Json.SyntaxException e = assertThrows(Json.SyntaxException.class, () -> Json.parse(s), s);
            assertTrue(e.getMessage().contains("at character"), e.getMessage());
        }
    }

    @Test
    void limitsNesting() throws Json.SyntaxException {
        Json.parse("[".repeat(Json.MAX_DEPTH) + "]".repeat(Json.MAX_DEPTH));
        Json.SyntaxException e = assertThrows(Json.SyntaxException.class,
                () -> Json.parse("[".repeat(Json.MAX_DEPTH + 1) + "]".repeat(Json.MAX_DEPTH + 1)));
        assertTrue(e.getMessage().contains("nesting deeper than"), e.getMessage());
    }

    @Test
    void writesStringsAsSerdeJsonDoes() throws Json.SyntaxException {
        assertEquals("\"plain\"", Json.quote("plain"));
        assertEquals("\"q\\\"b\\\\s/\"", Json.quote("q\"b\\s/"));
        assertEquals("\"\\b\\t\\n\\f\\r\\u0000\\u001f\u007f\"", Json.quote("\b\t\n\f\r\u0000\u001f\u007f"));
        assertEquals("\"h\u00e9\u65e5\uD83D\uDE00\"", Json.quote("h\u00e9\u65e5\uD83D\uDE00"));
        StringBuilder all = new StringBuilder();
        for (char c = 0; c < 0x300; c++) {
            all.append(c);
        }
        assertEquals(all.toString(), Json.parse(Json.quote(all.toString())));
    }

    @Test
    void errorPositionsPointAtTheFault() {
        Json.SyntaxException e = assertThrows(Json.SyntaxException.class, () -> Json.parse("{\"a\": [1, 2 3]}"));
        assertEquals("unexpected '3', expected ',' or ']' at character 12", e.getMessage());
    }
}
