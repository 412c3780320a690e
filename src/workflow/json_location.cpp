// simdjson reports *that* a document is broken; Boost.JSON's incremental parser tells *where*
// (it stops consuming at the first bad byte). Only runs on the error path.
#include "workflow/json_location.h"

#include <boost/json/stream_parser.hpp>

namespace ivk::detail {

JsonLocation locate_json_error(std::string_view text) {
  JsonLocation loc;
  boost::json::stream_parser parser;
  boost::system::error_code ec;
  std::size_t consumed = parser.write_some(text.data(), text.size(), ec);
  if (!ec) {
    parser.finish(ec);
    consumed = text.size();
  }
  if (ec) loc.message = ec.message();
  loc.offset = consumed;
  for (std::size_t i = 0; i < consumed && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++loc.line;
      loc.column = 1;
    } else {
      ++loc.column;
    }
  }
  return loc;
}

}  // namespace ivk::detail
