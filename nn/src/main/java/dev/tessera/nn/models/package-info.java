/**
 * Ready-made networks: {@link dev.tessera.nn.models.LeNet} (LeNet-5 style, 1x28x28 inputs), {@link
 * dev.tessera.nn.models.Vgg} (VGG-style stacks of 3x3 convolutions, e.g. {@code Vgg.small}) and
 * {@link dev.tessera.nn.models.ResNet} ({@code resnet18}, {@code resnet34}) whose parameter and
 * buffer names and shapes are exactly torchvision's, so torchvision weights exported to
 * safetensors load with {@link dev.tessera.nn.Module#loadStateDict(java.util.Map)}.
 *
 * <p>Transformers: {@link dev.tessera.nn.models.VisionTransformer} ({@code vitB16}, torchvision's
 * {@code vit_b_16} layout) and {@link dev.tessera.nn.models.BertModel} / {@link
 * dev.tessera.nn.models.BertForSequenceClassification} (Hugging Face's {@code BertModel} key
 * names; configured by {@link dev.tessera.nn.models.BertConfig}).
 */
package dev.tessera.nn.models;
