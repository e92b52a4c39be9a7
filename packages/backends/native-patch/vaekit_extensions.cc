// vaekit's extensions to @tensorflow/tfjs-node's N-API binding (see README.md beside this file).
// Part of @vaekit/backends; copied into tfjs-node's binding/ folder by vaekit-native-setup.
//
// They let JS run a whole computation (a training step) as ONE TensorFlow function call instead of one
// binding call per op: JS encodes a GraphDef, registerGraphAsFunction turns it into a function in the
// binding's own eager context, and tfjs-node's unchanged executeOp calls it by name like any other op,
// because TensorFlow's eager runtime resolves a registered function's name as an op type.
//
// They also reach TensorFlow's distributed runtime (for @vaekit/distributed): enableCollectiveOps starts this
// task's gRPC server from a ServerDef so collective ops (all-reduce, broadcast) run across processes, and the
// coordination service's barrier, peer health check and abort bound every wait on another process.

#include "vaekit_extensions.h"

#include <climits>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "tensorflow/c/c_api.h"
#include "tensorflow/c/c_api_experimental.h"
#include "tensorflow/c/eager/c_api.h"
#include "tensorflow/c/eager/c_api_experimental.h"
#include "tfjs_backend.h"

namespace vaekit {
namespace {

// What JS reads as `binding.vaekitExtensions`: bumped whenever the API below changes, so @vaekit/backends
// can tell an addon built from an older patch from one it can use.
constexpr int32_t kExtensionsVersion = 2;

// Each TensorFlow object is owned from the moment it is made, so every early return, and so every
// failure path, frees what was made before it.
struct StatusDeleter {
  void operator()(TF_Status *p) const { TF_DeleteStatus(p); }
};
struct GraphDeleter {
  void operator()(TF_Graph *p) const { TF_DeleteGraph(p); }
};
struct BufferDeleter {
  void operator()(TF_Buffer *p) const { TF_DeleteBuffer(p); }
};
struct ImportOptionsDeleter {
  void operator()(TF_ImportGraphDefOptions *p) const {
    TF_DeleteImportGraphDefOptions(p);
  }
};
struct DeviceListDeleter {
  void operator()(TF_DeviceList *p) const { TF_DeleteDeviceList(p); }
};
struct FunctionDeleter {
  void operator()(TF_Function *p) const { TF_DeleteFunction(p); }
};
using StatusPtr = std::unique_ptr<TF_Status, StatusDeleter>;
using GraphPtr = std::unique_ptr<TF_Graph, GraphDeleter>;
using BufferPtr = std::unique_ptr<TF_Buffer, BufferDeleter>;
using ImportOptionsPtr =
    std::unique_ptr<TF_ImportGraphDefOptions, ImportOptionsDeleter>;
using FunctionPtr = std::unique_ptr<TF_Function, FunctionDeleter>;
using DeviceListPtr = std::unique_ptr<TF_DeviceList, DeviceListDeleter>;

enum class ErrorKind { kError, kTypeError };

// An exception already pending (thrown by an N-API call) says more than ours would: keep it.
void Throw(napi_env env, const std::string &message,
           ErrorKind kind = ErrorKind::kError) {
  bool pending = false;
  if (napi_is_exception_pending(env, &pending) == napi_ok && pending) return;
  if (kind == ErrorKind::kTypeError) {
    napi_throw_type_error(env, nullptr, message.c_str());
  } else {
    napi_throw_error(env, nullptr, message.c_str());
  }
}

bool NapiOk(napi_env env, napi_status status, const std::string &context) {
  if (status == napi_ok) return true;
  // Read before any other N-API call replaces it.
  const napi_extended_error_info *info = nullptr;
  std::string detail = "an N-API call failed";
  if (napi_get_last_error_info(env, &info) == napi_ok && info != nullptr &&
      info->error_message != nullptr) {
    detail = info->error_message;
  }
  Throw(env, context + ": " + detail);
  return false;
}

bool TfOk(napi_env env, TF_Status *status, const std::string &context) {
  if (TF_GetCode(status) == TF_OK) return true;
  Throw(env, context + ": " + TF_Message(status));
  return false;
}

bool GetArgs(napi_env env, napi_callback_info info, size_t count,
             napi_value *args, const std::string &signature) {
  size_t argc = count;
  if (!NapiOk(env, napi_get_cb_info(env, info, &argc, args, nullptr, nullptr),
              signature)) {
    return false;
  }
  if (argc < count) {
    Throw(env,
          signature + " takes " + std::to_string(count) + " argument(s), got " +
              std::to_string(argc),
          ErrorKind::kTypeError);
    return false;
  }
  return true;
}

bool GetString(napi_env env, napi_value value, const std::string &what,
               std::string *out) {
  napi_valuetype type = napi_undefined;
  if (!NapiOk(env, napi_typeof(env, value, &type), what)) return false;
  if (type != napi_string) {
    Throw(env, what + " must be a string", ErrorKind::kTypeError);
    return false;
  }
  size_t length = 0;
  if (!NapiOk(env, napi_get_value_string_utf8(env, value, nullptr, 0, &length),
              what)) {
    return false;
  }
  std::string text(length + 1, '\0');
  size_t copied = 0;
  if (!NapiOk(env,
              napi_get_value_string_utf8(env, value, &text[0], text.size(),
                                         &copied),
              what)) {
    return false;
  }
  text.resize(copied);
  // TensorFlow takes C strings: a NUL inside would silently cut the name short.
  if (text.find('\0') != std::string::npos) {
    Throw(env, what + " must not contain a NUL character",
          ErrorKind::kTypeError);
    return false;
  }
  *out = std::move(text);
  return true;
}

bool GetStringArray(napi_env env, napi_value value, const std::string &what,
                    std::vector<std::string> *out) {
  bool is_array = false;
  if (!NapiOk(env, napi_is_array(env, value, &is_array), what)) return false;
  if (!is_array) {
    Throw(env, what + " must be an array of strings", ErrorKind::kTypeError);
    return false;
  }
  uint32_t length = 0;
  if (!NapiOk(env, napi_get_array_length(env, value, &length), what)) {
    return false;
  }
  out->clear();
  out->reserve(length);
  for (uint32_t i = 0; i < length; ++i) {
    const std::string element_what = what + "[" + std::to_string(i) + "]";
    napi_value element;
    if (!NapiOk(env, napi_get_element(env, value, i, &element), element_what)) {
      return false;
    }
    std::string text;
    if (!GetString(env, element, element_what, &text)) return false;
    out->push_back(std::move(text));
  }
  return true;
}

bool GetBytes(napi_env env, napi_value value, const std::string &what,
              const void **data, size_t *length) {
  bool is_typed_array = false;
  if (!NapiOk(env, napi_is_typedarray(env, value, &is_typed_array), what)) {
    return false;
  }
  napi_typedarray_type type = napi_int8_array;
  void *raw = nullptr;
  size_t count = 0;
  if (is_typed_array &&
      !NapiOk(env,
              napi_get_typedarray_info(env, value, &type, &count, &raw, nullptr,
                                       nullptr),
              what)) {
    return false;
  }
  if (!is_typed_array || type != napi_uint8_array) {
    Throw(env, what + " must be a Uint8Array", ErrorKind::kTypeError);
    return false;
  }
  // N-API has already moved `raw` past the view's byte offset.
  *data = raw;
  *length = count;
  return true;
}

// A timeout in milliseconds: a whole number from 1 up. TensorFlow reads 0 or less as "wait forever", which is
// exactly what these timeouts exist to prevent, so it is refused rather than passed on.
bool GetTimeoutMs(napi_env env, napi_value value, const std::string &what,
                  int64_t *out) {
  napi_valuetype type = napi_undefined;
  if (!NapiOk(env, napi_typeof(env, value, &type), what)) return false;
  double number = 0;
  if (type == napi_number &&
      !NapiOk(env, napi_get_value_double(env, value, &number), what)) {
    return false;
  }
  // 2^53: beyond it a double no longer holds every whole number, and no timeout needs that long.
  if (type != napi_number || !(number >= 1) || number > 9007199254740992.0 ||
      number != static_cast<double>(static_cast<int64_t>(number))) {
    Throw(env, what + " must be a whole number of milliseconds, at least 1",
          ErrorKind::kTypeError);
    return false;
  }
  *out = static_cast<int64_t>(number);
  return true;
}

// The binding keeps one TFJSBackend per Node environment as its instance data; executeOp runs in that
// backend's context, so functions must be registered there to be found by name.
tfnodejs::TFJSBackend *BackendOf(napi_env env, const std::string &context) {
  void *data = nullptr;
  if (!NapiOk(env, napi_get_instance_data(env, &data), context)) return nullptr;
  if (data == nullptr) {
    Throw(env, context + ": the TensorFlow binding has no context");
    return nullptr;
  }
  return static_cast<tfnodejs::TFJSBackend *>(data);
}

TFE_Context *ContextOf(napi_env env, const std::string &context) {
  tfnodejs::TFJSBackend *const backend = BackendOf(env, context);
  return backend == nullptr ? nullptr : backend->vaekit_context();
}

napi_value Undefined(napi_env env) {
  napi_value result = nullptr;
  napi_get_undefined(env, &result);
  return result;
}

// "node" means output 0 of that node, "node:2" its output 2. TensorFlow's node names cannot contain ':',
// so the last ':' always starts an index.
bool ParseOutputRef(const std::string &ref, std::string *node, int *index) {
  const size_t colon = ref.rfind(':');
  if (colon == std::string::npos) {
    *node = ref;
    *index = 0;
    return !ref.empty();
  }
  const std::string digits = ref.substr(colon + 1);
  // Nine digits cannot overflow an int; no node has anywhere near that many outputs.
  if (colon == 0 || digits.empty() || digits.size() > 9) return false;
  int value = 0;
  for (const char c : digits) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  *node = ref.substr(0, colon);
  *index = value;
  return true;
}

bool ResolveOutput(napi_env env, TF_Graph *graph, const std::string &node,
                   int index, const std::string &context, TF_Output *out) {
  TF_Operation *op = TF_GraphOperationByName(graph, node.c_str());
  if (op == nullptr) {
    Throw(env, context + ": the GraphDef has no node named '" + node + "'");
    return false;
  }
  const int outputs = TF_OperationNumOutputs(op);
  if (index >= outputs) {
    Throw(env, context + ": node '" + node + "' (" + TF_OperationOpType(op) +
                   ") has " + std::to_string(outputs) + " output(s), so it has no output " +
                   std::to_string(index));
    return false;
  }
  *out = TF_Output{op, index};
  return true;
}

napi_value RegisterGraphAsFunction(napi_env env, napi_callback_info info) {
  napi_value args[4];
  if (!GetArgs(env, info, 4, args,
               "registerGraphAsFunction(graphDef, name, inputNodeNames, "
               "outputRefs)")) {
    return nullptr;
  }
  const void *bytes = nullptr;
  size_t size = 0;
  std::string name;
  std::vector<std::string> input_names;
  std::vector<std::string> output_refs;
  if (!GetBytes(env, args[0], "registerGraphAsFunction: graphDef", &bytes,
                &size) ||
      !GetString(env, args[1], "registerGraphAsFunction: name", &name) ||
      !GetStringArray(env, args[2], "registerGraphAsFunction: inputNodeNames",
                      &input_names) ||
      !GetStringArray(env, args[3], "registerGraphAsFunction: outputRefs",
                      &output_refs)) {
    return nullptr;
  }
  if (name.empty()) {
    Throw(env, "registerGraphAsFunction: name must not be empty",
          ErrorKind::kTypeError);
    return nullptr;
  }
  const std::string context = "registerGraphAsFunction('" + name + "')";
  if (input_names.size() > INT_MAX || output_refs.size() > INT_MAX) {
    Throw(env, context + ": too many inputs or outputs");
    return nullptr;
  }
  TFE_Context *const tfe_context = ContextOf(env, context);
  if (tfe_context == nullptr) return nullptr;

  StatusPtr status(TF_NewStatus());
  GraphPtr graph(TF_NewGraph());
  {
    // An empty Uint8Array may have no backing store at all; TensorFlow still wants a valid pointer.
    static const char kNoBytes[1] = {0};
    BufferPtr buffer(TF_NewBufferFromString(size > 0 ? bytes : kNoBytes, size));
    ImportOptionsPtr options(TF_NewImportGraphDefOptions());
    TF_GraphImportGraphDef(graph.get(), buffer.get(), options.get(),
                           status.get());
  }
  if (!TfOk(env, status.get(), context + ": the GraphDef does not import")) {
    return nullptr;
  }

  std::vector<TF_Output> inputs(input_names.size());
  for (size_t i = 0; i < input_names.size(); ++i) {
    if (!ResolveOutput(env, graph.get(), input_names[i], 0,
                       context + ", input '" + input_names[i] + "'",
                       &inputs[i])) {
      return nullptr;
    }
  }
  std::vector<TF_Output> outputs(output_refs.size());
  for (size_t i = 0; i < output_refs.size(); ++i) {
    std::string node;
    int index = 0;
    if (!ParseOutputRef(output_refs[i], &node, &index)) {
      Throw(env,
            context + ": output ref '" + output_refs[i] +
                "' is neither 'node' nor 'node:index'",
            ErrorKind::kTypeError);
      return nullptr;
    }
    if (!ResolveOutput(env, graph.get(), node, index,
                       context + ", output '" + output_refs[i] + "'",
                       &outputs[i])) {
      return nullptr;
    }
  }

  // Every node of the graph goes into the body (num_opers = -1), and the name is kept as given
  // (no hash appended), because executeOp calls the function by exactly that name.
  FunctionPtr function(TF_GraphToFunction(
      graph.get(), name.c_str(), /*append_hash_to_fn_name=*/0,
      /*num_opers=*/-1, /*opers=*/nullptr, static_cast<int>(inputs.size()),
      inputs.data(), static_cast<int>(outputs.size()), outputs.data(),
      /*output_names=*/nullptr, /*opts=*/nullptr, /*description=*/nullptr,
      status.get()));
  if (!TfOk(env, status.get(), context + ": the graph does not make a function")) {
    return nullptr;
  }
  if (function == nullptr) {
    Throw(env, context + ": TensorFlow made no function and gave no reason");
    return nullptr;
  }
  // The context keeps its own copy of the function's definition; ours is freed on return.
  TFE_ContextAddFunction(tfe_context, function.get(), status.get());
  if (!TfOk(env, status.get(), context + ": TensorFlow did not add the function")) {
    return nullptr;
  }
  return Undefined(env);
}

napi_value HasFunction(napi_env env, napi_callback_info info) {
  napi_value args[1];
  if (!GetArgs(env, info, 1, args, "hasFunction(name)")) return nullptr;
  std::string name;
  if (!GetString(env, args[0], "hasFunction: name", &name)) return nullptr;
  TFE_Context *const tfe_context = ContextOf(env, "hasFunction");
  if (tfe_context == nullptr) return nullptr;
  napi_value result = nullptr;
  if (!NapiOk(env,
              napi_get_boolean(
                  env, TFE_ContextHasFunction(tfe_context, name.c_str()) != 0,
                  &result),
              "hasFunction")) {
    return nullptr;
  }
  return result;
}

napi_value RemoveFunction(napi_env env, napi_callback_info info) {
  napi_value args[1];
  if (!GetArgs(env, info, 1, args, "removeFunction(name)")) return nullptr;
  std::string name;
  if (!GetString(env, args[0], "removeFunction: name", &name)) return nullptr;
  const std::string context = "removeFunction('" + name + "')";
  TFE_Context *const tfe_context = ContextOf(env, context);
  if (tfe_context == nullptr) return nullptr;
  StatusPtr status(TF_NewStatus());
  TFE_ContextRemoveFunction(tfe_context, name.c_str(), status.get());
  if (!TfOk(env, status.get(), context)) return nullptr;
  return Undefined(env);
}

// After TFE_EnableCollectiveOps the context's devices are the server's: /job:localhost/... is gone and
// /job:<job>/replica:0/task:<i>/... takes its place. With the coordination service the list can also hold
// other tasks' devices, so only this task's count. tfjs-node copies every tensor it makes to the device it
// picked at start-up, a name that no longer exists, so the binding is told the new one.
bool SelectLocalDevice(napi_env env, tfnodejs::TFJSBackend *backend,
                       TFE_Context *tfe_context, const std::string &local_task,
                       const std::string &context, std::string *device) {
  StatusPtr status(TF_NewStatus());
  DeviceListPtr devices(TFE_ContextListDevices(tfe_context, status.get()));
  if (!TfOk(env, status.get(), context + ": listing the devices")) return false;
  const std::string prefix = local_task + "/device:";
  std::string cpu;
  std::string gpu;
  std::string seen;
  const int count = TF_DeviceListCount(devices.get());
  for (int i = 0; i < count; ++i) {
    const char *name = TF_DeviceListName(devices.get(), i, status.get());
    if (!TfOk(env, status.get(), context + ": reading a device's name")) return false;
    const char *type = TF_DeviceListType(devices.get(), i, status.get());
    if (!TfOk(env, status.get(), context + ": reading a device's type")) return false;
    const std::string device_name(name);
    seen += (seen.empty() ? "" : ", ") + device_name;
    if (device_name.compare(0, prefix.size(), prefix) != 0) continue;
    const std::string device_type(type);
    if (device_type == "CPU" && cpu.empty()) cpu = device_name;
    if (device_type == "GPU" && gpu.empty()) gpu = device_name;
  }
  if (cpu.empty() && gpu.empty()) {
    Throw(env, context + ": the context has no device of task " + local_task +
                   " (it has: " + (seen.empty() ? "none" : seen) + ")");
    return false;
  }
  // The same preference as tfjs-node's own start-up: a GPU when there is one, else the host CPU.
  *device = gpu.empty() ? cpu : gpu;
  backend->vaekit_set_device(*device, !gpu.empty());
  return true;
}

napi_value EnableCollectiveOps(napi_env env, napi_callback_info info) {
  napi_value args[2];
  if (!GetArgs(env, info, 2, args, "enableCollectiveOps(serverDef, localTask)")) {
    return nullptr;
  }
  const void *bytes = nullptr;
  size_t size = 0;
  std::string local_task;
  if (!GetBytes(env, args[0], "enableCollectiveOps: serverDef", &bytes, &size) ||
      !GetString(env, args[1], "enableCollectiveOps: localTask", &local_task)) {
    return nullptr;
  }
  if (local_task.compare(0, 5, "/job:") != 0) {
    Throw(env,
          "enableCollectiveOps: localTask must name a task, as "
          "/job:<name>/replica:0/task:<index>",
          ErrorKind::kTypeError);
    return nullptr;
  }
  const std::string context = "enableCollectiveOps(" + local_task + ")";
  tfnodejs::TFJSBackend *const backend = BackendOf(env, context);
  if (backend == nullptr) return nullptr;
  TFE_Context *const tfe_context = backend->vaekit_context();
  StatusPtr status(TF_NewStatus());
  static const char kNoBytes[1] = {0};
  TFE_EnableCollectiveOps(tfe_context, size > 0 ? bytes : kNoBytes, size,
                          status.get());
  if (!TfOk(env, status.get(), context)) return nullptr;
  std::string device;
  if (!SelectLocalDevice(env, backend, tfe_context, local_task, context,
                         &device)) {
    return nullptr;
  }
  napi_value result = nullptr;
  if (!NapiOk(env,
              napi_create_string_utf8(env, device.c_str(), device.size(),
                                      &result),
              context)) {
    return nullptr;
  }
  return result;
}

// Every pending and later collective of this context fails with `message` (TensorFlow cannot undo this:
// collectives work again only in a new process). Meant for a worker that knows a peer is gone, so it does
// not wait on it.
napi_value AbortCollectiveOps(napi_env env, napi_callback_info info) {
  napi_value args[1];
  if (!GetArgs(env, info, 1, args, "abortCollectiveOps(message)")) return nullptr;
  std::string message;
  if (!GetString(env, args[0], "abortCollectiveOps: message", &message)) {
    return nullptr;
  }
  TFE_Context *const tfe_context = ContextOf(env, "abortCollectiveOps");
  if (tfe_context == nullptr) return nullptr;
  // The status is the input here: the reason every collective will fail with.
  StatusPtr reason(TF_NewStatus());
  TF_SetStatus(reason.get(), TF_ABORTED, message.c_str());
  TFE_AbortCollectiveOps(tfe_context, reason.get());
  return Undefined(env);
}

napi_value CollectiveOpsCheckPeerHealth(napi_env env, napi_callback_info info) {
  napi_value args[2];
  if (!GetArgs(env, info, 2, args,
               "collectiveOpsCheckPeerHealth(task, timeoutMs)")) {
    return nullptr;
  }
  std::string task;
  int64_t timeout_ms = 0;
  if (!GetString(env, args[0], "collectiveOpsCheckPeerHealth: task", &task) ||
      !GetTimeoutMs(env, args[1], "collectiveOpsCheckPeerHealth: timeoutMs",
                    &timeout_ms)) {
    return nullptr;
  }
  const std::string context = "collectiveOpsCheckPeerHealth(" + task + ")";
  TFE_Context *const tfe_context = ContextOf(env, context);
  if (tfe_context == nullptr) return nullptr;
  StatusPtr status(TF_NewStatus());
  TFE_CollectiveOpsCheckPeerHealth(tfe_context, task.c_str(), timeout_ms,
                                   status.get());
  if (!TfOk(env, status.get(), context)) return nullptr;
  return Undefined(env);
}

// The coordination service's barrier: returns once every task of the cluster has called it with the same id,
// and fails after timeoutMs naming the tasks that did not. Needs the coordination service in the ServerDef.
napi_value WaitAtBarrier(napi_env env, napi_callback_info info) {
  napi_value args[2];
  if (!GetArgs(env, info, 2, args, "waitAtBarrier(barrierId, timeoutMs)")) {
    return nullptr;
  }
  std::string barrier_id;
  int64_t timeout_ms = 0;
  if (!GetString(env, args[0], "waitAtBarrier: barrierId", &barrier_id) ||
      !GetTimeoutMs(env, args[1], "waitAtBarrier: timeoutMs", &timeout_ms)) {
    return nullptr;
  }
  const std::string context = "waitAtBarrier('" + barrier_id + "')";
  TFE_Context *const tfe_context = ContextOf(env, context);
  if (tfe_context == nullptr) return nullptr;
  StatusPtr status(TF_NewStatus());
  TFE_WaitAtBarrier(tfe_context, barrier_id.c_str(), timeout_ms, status.get());
  if (!TfOk(env, status.get(), context)) return nullptr;
  return Undefined(env);
}

}  // namespace

void DefineExtensions(napi_env env, napi_value exports) {
  napi_value version = nullptr;
  bool ok = napi_create_int32(env, kExtensionsVersion, &version) == napi_ok;
  if (ok) {
    // vaekitExtensions comes last: should N-API stop part-way, the version is missing and JS treats the
    // addon as unpatched instead of trusting a half-defined API.
    const napi_property_descriptor properties[] = {
        {"registerGraphAsFunction", nullptr, RegisterGraphAsFunction, nullptr,
         nullptr, nullptr, napi_enumerable, nullptr},
        {"hasFunction", nullptr, HasFunction, nullptr, nullptr, nullptr,
         napi_enumerable, nullptr},
        {"removeFunction", nullptr, RemoveFunction, nullptr, nullptr, nullptr,
         napi_enumerable, nullptr},
        {"enableCollectiveOps", nullptr, EnableCollectiveOps, nullptr, nullptr,
         nullptr, napi_enumerable, nullptr},
        {"abortCollectiveOps", nullptr, AbortCollectiveOps, nullptr, nullptr,
         nullptr, napi_enumerable, nullptr},
        {"collectiveOpsCheckPeerHealth", nullptr, CollectiveOpsCheckPeerHealth,
         nullptr, nullptr, nullptr, napi_enumerable, nullptr},
        {"waitAtBarrier", nullptr, WaitAtBarrier, nullptr, nullptr, nullptr,
         napi_enumerable, nullptr},
        {"vaekitExtensions", nullptr, nullptr, nullptr, nullptr, version,
         napi_enumerable, nullptr},
    };
    ok = napi_define_properties(env, exports,
                                sizeof(properties) / sizeof(properties[0]),
                                properties) == napi_ok;
  }
  if (!ok) {
    // The extensions are optional: tfjs-node must still load and run eagerly without them.
    bool pending = false;
    if (napi_is_exception_pending(env, &pending) == napi_ok && pending) {
      napi_value ignored = nullptr;
      napi_get_and_clear_last_exception(env, &ignored);
    }
  }
}

}  // namespace vaekit
