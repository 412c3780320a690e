#pragma once
// The emulator's request routing: method + path pattern -> handler, with the access rule of the
// real route (public, any user, admin). Private to the emulator.
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ivk::emu {

struct User {
  std::string user_id;
  std::string email;
  std::string display_name;
  bool is_admin = false;
};

struct Request {
  std::string method;  // "GET"
  std::string path;    // decoded path without the query: "/api/v2/models/i/abc"
  std::vector<std::pair<std::string, std::string>> query;    // decoded, in order, repeats kept
  std::vector<std::pair<std::string, std::string>> headers;  // names lowercased
  std::string body;
  std::map<std::string, std::string> params;  // "{key}" captures from the route pattern
  User user;  // the caller (the synthesized "system" admin in single-user mode)

  [[nodiscard]] std::optional<std::string> query_value(std::string_view name) const;
  [[nodiscard]] std::vector<std::string> query_values(std::string_view name) const;
  [[nodiscard]] std::optional<std::string> header(std::string_view lowercase_name) const;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;

  static Response json(int status, std::string body);
  // {"detail": "<message>"} with the message JSON-escaped.
  static Response detail(int status, std::string_view message);
  static Response no_content();  // 204, empty body
};

enum class Access { public_route, user, admin };

using Handler = std::function<Response(const Request&)>;

class Router {
 public:
  // pattern: exact path with "{name}" segments, e.g. "/api/v2/models/i/{key}". Trailing slashes are
  // significant, as on the real server.
  void add(std::string method, std::string pattern, Access access, Handler handler);

  struct Match {
    const Handler* handler = nullptr;
    Access access = Access::user;
    std::map<std::string, std::string> params;
    bool path_matched = false;  // some route has this path, but not this method (-> 405)
  };
  [[nodiscard]] Match match(std::string_view method, std::string_view path) const;

 private:
  struct Route {
    std::string method;
    std::vector<std::string> segments;
    Access access;
    Handler handler;
  };
  std::vector<Route> routes_;
};

}  // namespace ivk::emu
