// The parse entry points of json_read.h, out of line: their error paths build messages that need not
// be inlined into each of the many callers.
#include "core/json_read.h"

namespace ivk {

Result<dom::element> parse_json(dom::parser& parser, std::string_view text, std::string_view what) {
  dom::element doc;
  if (auto err = parser.parse(text.data(), text.size()).get(doc); err != simdjson::SUCCESS)
    return fail(ErrorCode::parse_error, std::string(what) + " is not JSON: " + simdjson::error_message(err),
                "$");
  return doc;
}

Result<dom::object> parse_object(dom::parser& parser, std::string_view text, std::string_view what) {
  auto doc = parse_json(parser, text, what);
  if (!doc) return tl::unexpected(doc.error());
  dom::object o;
  if (doc->get_object().get(o) != simdjson::SUCCESS)
    return fail(ErrorCode::parse_error, std::string(what) + " is not a JSON object", "$");
  return o;
}

Result<dom::array> parse_array(dom::parser& parser, std::string_view text, std::string_view what) {
  auto doc = parse_json(parser, text, what);
  if (!doc) return tl::unexpected(doc.error());
  dom::array a;
  if (doc->get_array().get(a) != simdjson::SUCCESS)
    return fail(ErrorCode::parse_error, std::string(what) + " is not a JSON array", "$");
  return a;
}

Result<std::int64_t> parse_count(std::string_view text, std::string_view key, std::string_view what) {
  dom::parser parser;
  auto o = parse_object(parser, text, what);
  if (!o) return tl::unexpected(o.error());
  auto n = int_member(*o, key);
  if (!n)
    return fail(ErrorCode::parse_error, std::string(what) + ": missing integer \"" + std::string(key) + "\"",
                "$." + std::string(key));
  return *n;
}

}  // namespace ivk
