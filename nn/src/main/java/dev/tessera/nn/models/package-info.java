/**
 * Ready-made networks: {@link dev.tessera.nn.models.LeNet} (LeNet-5 style, 1x28x28 inputs), {@link
 * dev.tessera.nn.models.Vgg} (VGG-style stacks of 3x3 convolutions, e.g. {@code Vgg.small}), and
 * torchvision 0.14's image models whose parameter and buffer names, shapes and order are exactly
 * torchvision's, so torchvision weights exported to safetensors load with {@link
 * dev.tessera.nn.Module#loadStateDict(java.util.Map)}: {@link dev.tessera.nn.models.ResNet}
 * ({@code resnet18}, {@code resnet34}, {@code resnet50}, {@code resnet101}, {@code resnet152}),
 * {@code Vgg.vgg16} and {@code Vgg.vgg16Bn}, {@link dev.tessera.nn.models.Inception} ({@code
 * inceptionV3}, with {@link dev.tessera.nn.models.InceptionOutputs} for the auxiliary logits),
 * {@link dev.tessera.nn.models.MobileNet} ({@code mobilenetV2}) and {@link
 * dev.tessera.nn.models.EfficientNet} ({@code efficientnetB0}), with their blocks ({@link
 * dev.tessera.nn.models.BasicBlock}, {@link dev.tessera.nn.models.Bottleneck}, {@link
 * dev.tessera.nn.models.InvertedResidual}, {@link dev.tessera.nn.models.MBConv}, {@link
 * dev.tessera.nn.models.BasicConv2d} and the Inception modules).
 *
 * <p>Transformers: {@link dev.tessera.nn.models.VisionTransformer} ({@code vitB16}, torchvision's
 * {@code vit_b_16} layout) and {@link dev.tessera.nn.models.BertModel} / {@link
 * dev.tessera.nn.models.BertForSequenceClassification} (Hugging Face's {@code BertModel} key
 * names; configured by {@link dev.tessera.nn.models.BertConfig}).
 */
package dev.tessera.nn.models;
