#pragma once
// The emulator's users and authentication: HS256 JWTs signed with OpenSSL's HMAC, the
// synthesized "system" admin of single-user mode, and the exact 401/403 answers of the real
// server's two dependency flavours. Thread-safe: handlers run on several I/O threads.
// Private to the emulator.
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "http/router.h"
#include "ivk/emulator.h"

namespace ivk::emu {

struct UserRecord {
  std::string user_id;
  std::string email;
  std::string display_name;
  std::string password;  // kept as given: an emulator for tests, not a vault
  bool is_admin = false;
  bool is_active = true;
  std::string created_at;  // "2026-01-15T10:00:00"
  std::string updated_at;
  std::optional<std::string> last_login_at;
  std::int64_t token_epoch = 0;  // bumping it revokes the user's tokens
};

struct TokenClaims {
  std::string user_id;
  std::string email;
  bool is_admin = false;
  bool remember_me = false;
  std::int64_t token_epoch = 0;
  std::int64_t exp = 0;  // Unix seconds
};

// Which of the server's dependencies guards a route: they word their 401s differently.
enum class AuthFlavor {
  current_user,             // CurrentUser (auth routes): a token is always required
  current_user_or_default,  // CurrentUserOrDefault / AdminUserOrDefault: the system user when single-user
};

// base64url without padding (JWT segments).
std::string base64url_encode(std::string_view bytes);
std::optional<std::string> base64url_decode(std::string_view text);

class Auth {
 public:
  // jwt_secret empty: 32 random bytes.
  Auth(bool multiuser, const std::vector<EmulatorUser>& users, std::string jwt_secret);

  [[nodiscard]] bool multiuser() const noexcept { return multiuser_; }

  // The caller of a route with this access, or the 401/403 answer. Public routes resolve to the
  // token's user when a valid one is sent, else to an empty User.
  struct Outcome {
    std::optional<User> user;
    std::optional<Response> error;
  };
  [[nodiscard]] Outcome authenticate(const Request& req, Access access,
                                     AuthFlavor flavor = AuthFlavor::current_user_or_default) const;

  // A fresh token for the sender of a valid Bearer token (sliding expiry, X-Refreshed-Token), or
  // nullopt when the request carries none or an invalid one.
  [[nodiscard]] std::optional<std::string> refreshed_token(const Request& req) const;

  // Tokens. Lifetime: 1 day, 7 with remember_me.
  [[nodiscard]] std::string issue_token(const UserRecord& user, bool remember_me) const;
  [[nodiscard]] std::optional<TokenClaims> verify_token(std::string_view token) const;
  static std::int64_t lifetime_seconds(bool remember_me) noexcept { return remember_me ? 7 * 86400 : 86400; }

  // Users (copies: the records change under other threads).
  enum class LoginResult { ok, bad_credentials, disabled };
  LoginResult login(std::string_view email, std::string_view password, UserRecord& out);
  [[nodiscard]] std::optional<UserRecord> find_user(std::string_view user_id) const;
  [[nodiscard]] std::vector<UserRecord> users() const;
  [[nodiscard]] bool has_admin() const;
  [[nodiscard]] std::optional<std::string> admin_email() const;
  // Adds a user; nullopt when the email is taken.
  std::optional<UserRecord> add_user(const EmulatorUser& user);

  static nlohmann::ordered_json user_dto(const UserRecord& user);
  static User to_user(const UserRecord& user);
  static User system_user();

 private:
  [[nodiscard]] std::optional<std::string> bearer_token(const Request& req) const;
  [[nodiscard]] std::string sign(std::string_view signing_input) const;

  bool multiuser_;
  std::string secret_;
  mutable std::mutex mutex_;
  std::vector<UserRecord> users_;
};

void add_auth_routes(Router& router, Auth& auth);

// "2026-01-15T10:00:00" for now, UTC.
std::string iso_now();

}  // namespace ivk::emu
