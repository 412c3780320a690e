#pragma once
// Keeps tokens and passwords out of errors: errors are logged and shown, and a server or proxy may
// echo a credential back (a 422 "input", an error page quoting the Authorization header).
#include <string>
#include <string_view>

#include "ivk/error.h"

namespace ivk {

// Replaces every occurrence of secret (as is, and as it appears inside a JSON string) with
// "<redacted>" in text. An empty secret changes nothing.
void redact_secret(std::string& text, std::string_view secret);

// The same over every text field of an error. A cut-off tail of the secret at the end of a
// truncated rendering ("...") is redacted too, so a long password cannot leak its first characters.
void redact_secret(Error& error, std::string_view secret);

}  // namespace ivk
