// vaekit's extensions to @tensorflow/tfjs-node's N-API binding (see README.md beside this file).
// Part of @vaekit/backends; copied into tfjs-node's binding/ folder by vaekit-native-setup.

#ifndef VAEKIT_EXTENSIONS_H_
#define VAEKIT_EXTENSIONS_H_

#include <node_api.h>

namespace vaekit {

// Adds registerGraphAsFunction, hasFunction, removeFunction, the collective-ops functions
// (enableCollectiveOps, abortCollectiveOps, collectiveOpsCheckPeerHealth, waitAtBarrier) and
// vaekitExtensions to the binding's exports. If N-API refuses, the binding is left as tfjs-node made it (no extension at all, no pending
// exception), so it still loads and runs eagerly, and JS sees that vaekitExtensions is missing.
void DefineExtensions(napi_env env, napi_value exports);

}  // namespace vaekit

#endif  // VAEKIT_EXTENSIONS_H_
