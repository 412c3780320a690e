#pragma once
// Turns an InvokeAI error response into an ivk::Error that says what happened and what to do.

#include <string>
#include <string_view>

#include "ivk/error.h"

namespace ivk {

// code: 401/403 -> auth, 404 -> not_found, 409 -> conflict, anything else -> http;
// http_status = status; where = "METHOD /path"; detail = render_error_body(body);
// message = what the status means for an InvokeAI client and what to do about it.
Error error_from_response(int status, std::string_view method, std::string_view path, std::string_view body);

// The server's explanation in one line:
//   {"detail": "text"}                       -> text
//   {"detail": [{loc, msg, input}, ...]}     -> "body.batch.graph: Value error, ...; query.base_models.0:
//   Input
//                                               should be ... (input: \"sdxxl\")" (input shown when short;
//                                               at most 10 entries, then "(and N more)")
//   {"detail": {...}} or other JSON          -> compact JSON, at most 300 characters
//   HTML or text                             -> tags stripped, whitespace collapsed, at most 200 characters
//   empty                                    -> ""
std::string render_error_body(std::string_view body);

// "Not Found" for 404 and so on; "" for a status without a well-known phrase.
std::string_view http_reason_phrase(int status) noexcept;

}  // namespace ivk
