// tfjs-core alone registers no gradients in Node ("gradient function not found for RealDiv") and its
// `dist/register_all_gradients` module does not resolve as ESM there. tfjs-layers registers every
// gradient as an import side effect, both in its Node bundle and in its ESM build, and core needs
// tfjs-layers for its networks anyway: importing it once here is the clean way.
import '@tensorflow/tfjs-layers';
