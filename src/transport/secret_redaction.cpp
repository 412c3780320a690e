// Redaction of credentials in error texts (see secret_redaction.h).
#include "transport/secret_redaction.h"

#include "ivk/json_text.h"

namespace ivk {

namespace {

constexpr std::string_view kRedacted = "<redacted>";
// Shorter prefixes are too likely to be ordinary text; a 3-character tail leaks little.
constexpr std::size_t kMinPrefix = 4;

void replace_all(std::string& text, std::string_view needle) {
  if (needle.empty()) return;
  std::size_t pos = 0;
  while ((pos = text.find(needle, pos)) != std::string::npos) {
    text.replace(pos, needle.size(), kRedacted);
    pos += kRedacted.size();
  }
}

// Renderers cut long values and append "..."; what is left before it may be the secret's start.
void redact_cut_prefix(std::string& text, std::string_view secret) {
  for (std::size_t n = secret.size() - 1; n >= kMinPrefix && n < secret.size(); --n) {
    std::string needle(secret.substr(0, n));
    needle += "...";
    if (text.find(needle) != std::string::npos) {
      std::string replacement(kRedacted);
      replacement += "...";
      std::size_t pos = 0;
      while ((pos = text.find(needle, pos)) != std::string::npos) {
        text.replace(pos, needle.size(), replacement);
        pos += replacement.size();
      }
    }
  }
}

}  // namespace

void redact_secret(std::string& text, std::string_view secret) {
  if (secret.empty()) return;
  replace_all(text, secret);
  // Inside JSON the secret may be escaped ("pa\"ss"): redact that spelling as well.
  const std::string quoted = json_quote(secret);
  const std::string_view escaped = std::string_view(quoted).substr(1, quoted.size() - 2);
  if (escaped != secret) replace_all(text, escaped);
}

void redact_secret(Error& error, std::string_view secret) {
  if (secret.empty()) return;
  for (std::string* field : {&error.message, &error.where, &error.source, &error.detail}) {
    redact_secret(*field, secret);
    if (secret.size() > kMinPrefix) redact_cut_prefix(*field, secret);
  }
}

}  // namespace ivk
