// Rendering of FastAPI/Starlette error bodies and per-status advice.
#include "transport/server_error.h"

#include <simdjson.h>

#include <algorithm>
#include <exception>

namespace ivk {

namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

constexpr std::size_t kMaxJson = 300;
constexpr std::size_t kMaxText = 200;
constexpr std::size_t kMaxInput = 60;
constexpr std::size_t kMaxEntries = 10;

// Cuts s to at most n bytes without splitting a UTF-8 sequence; appends "..." when it cut.
std::string truncate(std::string s, std::size_t n) {
  if (s.size() <= n) return s;
  std::size_t cut = n;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  s.resize(cut);
  s += "...";
  return s;
}

std::string compact(const element& value) { return simdjson::minify(value); }

std::string render_loc(const element& loc) {
  array parts;
  if (loc.get_array().get(parts)) return {};
  std::string out;
  for (element part : parts) {
    if (!out.empty()) out += '.';
    std::string_view text;
    int64_t number = 0;
    if (!part.get_string().get(text))
      out += text;
    else if (!part.get_int64().get(number))
      out += std::to_string(number);
    else
      out += compact(part);
  }
  return out;
}

std::string render_validation_list(const array& entries) {
  std::string out;
  std::size_t count = 0;
  const std::size_t total = entries.size();
  for (element entry : entries) {
    if (count == kMaxEntries) {
      out += "; (and " + std::to_string(total - count) + " more)";
      break;
    }
    if (count++ > 0) out += "; ";
    object fields;
    if (entry.get_object().get(fields)) {
      out += truncate(compact(entry), kMaxJson);
      continue;
    }
    element loc;
    if (!fields.at_key("loc").get(loc)) {
      const auto where = render_loc(loc);
      if (!where.empty()) out += where + ": ";
    }
    std::string_view msg;
    if (!fields.at_key("msg").get_string().get(msg))
      out += msg;
    else
      out += "invalid";
    element input;
    if (!fields.at_key("input").get(input)) {
      const auto text = compact(input);
      if (text.size() <= kMaxInput) out += " (input: " + text + ")";
    }
  }
  return out;
}

std::string strip_markup(std::string_view body) {
  std::string text;
  bool in_tag = false;
  for (std::size_t i = 0; i < body.size(); ++i) {
    const char c = body[i];
    if (in_tag) {
      if (c == '>') {
        in_tag = false;
        text += ' ';
      }
      continue;
    }
    if (c == '<') {
      // Skip <script> and <style> contents entirely.
      for (std::string_view block : {"script", "style"}) {
        const auto open = body.substr(i + 1, block.size());
        if (open.size() == block.size() && std::equal(open.begin(), open.end(), block.begin(),
                                                      [](char a, char b) { return (a | 0x20) == b; })) {
          const auto close = body.find("</" + std::string(block), i);
          if (close != std::string_view::npos) i = close;
        }
      }
      in_tag = true;
      continue;
    }
    if (c == '&') {
      static constexpr std::pair<std::string_view, char> kEntities[] = {
          {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&#39;", '\''}, {"&nbsp;", ' '}};
      bool replaced = false;
      for (const auto& [name, ch] : kEntities) {
        if (body.substr(i, name.size()) == name) {
          text += ch;
          i += name.size() - 1;
          replaced = true;
          break;
        }
      }
      if (replaced) continue;
    }
    text += (c == '\n' || c == '\r' || c == '\t') ? ' ' : c;
  }
  std::string collapsed;
  for (char c : text) {
    if (c == ' ' && (collapsed.empty() || collapsed.back() == ' ')) continue;
    collapsed += c;
  }
  while (!collapsed.empty() && collapsed.back() == ' ') collapsed.pop_back();
  return collapsed;
}

std::string advice(int status) {
  switch (status) {
    case 400: return "the server rejected the request as malformed";
    case 401:
      return "the server requires authentication (a multi-user server): log in or pass --token / "
             "INVOKEAI_TOKEN; an expired token must be renewed";
    case 403:
      return "the server refused the request: this account lacks the permission (admin privileges may be "
             "required), or the server is not in multi-user mode";
    case 404:
      return "check the URL (including any reverse-proxy sub-path), the server version (this route may not "
             "exist on it; `ivk server version` shows it) and the id";
    case 405:
      return "the route does not accept this method; the server version may differ from what ivk expects";
    case 409:
      return "the request conflicts with the server's state (it already exists, or the server is busy, e.g. "
             "image storage maintenance); try again later or change the request";
    case 413: return "the request is too large for the server or a proxy in front of it";
    case 422: return "the server rejected the request body: the detail names each invalid field";
    case 429: return "the server is rate-limiting requests; wait and try again";
    case 500:
      return "the server failed while handling the request (InvokeAI reports every internal exception as "
             "500; retrying will not help): see the detail and the server's log";
    case 501: return "this server version does not implement the route";
    case 502:
    case 503:
    case 504:
      return "the server, or a proxy in front of it, is unavailable: check that InvokeAI is running and "
             "reachable, then try again";
    default: break;
  }
  if (status >= 400 && status < 500) return "the server rejected the request";
  if (status >= 500) return "the server failed to handle the request";
  return "unexpected HTTP status";
}

}  // namespace

std::string_view http_reason_phrase(int status) noexcept {
  switch (status) {
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 413: return "Content Too Large";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Content";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "";
  }
}

std::string render_error_body(std::string_view body) {
  try {
    const auto first = body.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) return {};
    if (body[first] == '{' || body[first] == '[' || body[first] == '"') {
      simdjson::dom::parser parser;
      element doc;
      if (!parser.parse(body.data(), body.size()).get(doc)) {
        element detail;
        if (!doc.at_key("detail").get(detail)) {
          std::string_view text;
          array list;
          if (!detail.get_string().get(text)) return std::string(text);
          if (!detail.get_array().get(list)) return render_validation_list(list);
          return truncate(compact(detail), kMaxJson);
        }
        std::string_view text;
        if (!doc.get_string().get(text)) return truncate(std::string(text), kMaxText);
        return truncate(compact(doc), kMaxJson);
      }
    }
    return truncate(strip_markup(body), kMaxText);
  } catch (const std::exception&) {  // std::bad_alloc: fall back to the raw start of the body
    return std::string(body.substr(0, kMaxText));
  }
}

Error error_from_response(int status, std::string_view method, std::string_view path, std::string_view body) {
  Error e;
  switch (status) {
    case 401:
    case 403: e.code = ErrorCode::auth; break;
    case 404: e.code = ErrorCode::not_found; break;
    case 409: e.code = ErrorCode::conflict; break;
    default: e.code = ErrorCode::http; break;
  }
  e.http_status = status;
  const auto phrase = http_reason_phrase(status);
  e.message = phrase.empty() ? advice(status) : std::string(phrase) + ": " + advice(status);
  e.where.reserve(method.size() + 1 + path.size());
  e.where += method;
  e.where += ' ';
  e.where += path;
  e.detail = render_error_body(body);
  return e;
}

}  // namespace ivk
