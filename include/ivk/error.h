#pragma once
// The one error vocabulary of ivk: every fallible call returns ivk::Result<T>.
// The library never throws across its API; the CLI maps ErrorCode to exit codes.

#include <string>
#include <string_view>

#include <tl/expected.hpp>

namespace ivk {

enum class ErrorCode {
  invalid_argument,  // a caller-supplied value breaks a rule (wrong type, out of range, unknown input)
  parse_error,       // bytes that should be JSON/PNG are not
  invalid_workflow,  // JSON that is not a usable InvokeAI workflow
  not_found,         // a referenced thing does not exist (file, input, model, node)
  io,                // reading or writing a local file failed
  unsupported,       // valid input that ivk cannot handle (e.g. a future schema version)
  conflict,          // the target already exists or is busy
  http,              // the server answered with an error status
  transport,         // the request never got a usable answer (connect, TLS, protocol)
  timeout,           // a wait ran out of time
  cancelled,         // the caller cancelled
  auth,              // authentication or authorisation failed
  internal,          // a bug in ivk: please report it
};

// Stable lowercase name of a code, e.g. "invalid_argument".
std::string_view to_string(ErrorCode code) noexcept;

struct Error {
  ErrorCode code = ErrorCode::internal;
  // What went wrong and, where possible, what to do about it.
  std::string message;
  // Where: a JSON path into a document ("$.nodes[3].data.inputs.seed"), an input reference,
  // or "METHOD /path" for a request. Empty when it does not apply.
  std::string where;
  // The file, URL or name the data came from. Empty when it does not apply.
  std::string source;
  // HTTP status for ErrorCode::http, else 0.
  int http_status = 0;
  // The server's explanation (FastAPI "detail", rendered), if any.
  std::string detail;

  // One line for people: "<source>: <where>: <message> (<detail>)".
  [[nodiscard]] std::string describe() const;
};

template <class T>
using Result = tl::expected<T, Error>;
using Status = tl::expected<void, Error>;

inline Error make_error(ErrorCode code, std::string message, std::string where = {},
                        std::string source = {}) {
  Error e;
  e.code = code;
  e.message = std::move(message);
  e.where = std::move(where);
  e.source = std::move(source);
  return e;
}

// Builds the error branch of a Result: `return ivk::fail(ErrorCode::io, "cannot read file");`
inline tl::unexpected<Error> fail(ErrorCode code, std::string message, std::string where = {}) {
  return tl::unexpected<Error>(make_error(code, std::move(message), std::move(where)));
}

}  // namespace ivk
