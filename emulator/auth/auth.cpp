#include "auth/auth.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <ctime>
#include <stdexcept>

#include "core/ascii_case.h"
#include "core/uuid.h"

namespace ivk::emu {
namespace {

using Json = nlohmann::ordered_json;

constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Compares secrets in constant time, so response timing does not leak how much matched.
bool equal_secret(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

Response unauthorized(std::string_view message, bool www_authenticate) {
  Response r = Response::detail(401, message);
  if (www_authenticate) r.headers.emplace_back("WWW-Authenticate", "Bearer");
  return r;
}

}  // namespace

std::string iso_now() {
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::array<char, 32> buf{};
  const std::size_t n = std::strftime(buf.data(), buf.size(), "%Y-%m-%dT%H:%M:%S", &tm);
  return std::string(buf.data(), n);
}

std::string base64url_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  auto byte = [&](std::size_t k) { return static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[k])); };
  for (; i + 3 <= bytes.size(); i += 3) {
    const std::uint32_t v = (byte(i) << 16) | (byte(i + 1) << 8) | byte(i + 2);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  const std::size_t rest = bytes.size() - i;
  if (rest == 1) {
    const std::uint32_t v = byte(i) << 16;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
  } else if (rest == 2) {
    const std::uint32_t v = (byte(i) << 16) | (byte(i + 1) << 8);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
  }
  return out;
}

std::optional<std::string> base64url_decode(std::string_view text) {
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);  // tolerate padding
  if (text.size() % 4 == 1) return std::nullopt;
  std::string out;
  out.reserve(text.size() * 3 / 4);
  std::uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    const auto pos = kAlphabet.find(c);
    if (pos == std::string_view::npos) return std::nullopt;
    acc = (acc << 6) | static_cast<std::uint32_t>(pos);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  return out;
}

Auth::Auth(bool multiuser, const std::vector<EmulatorUser>& users, std::string jwt_secret)
    : multiuser_(multiuser), secret_(std::move(jwt_secret)) {
  if (secret_.empty()) {
    std::array<unsigned char, 32> random{};
    if (RAND_bytes(random.data(), static_cast<int>(random.size())) != 1)
      throw std::runtime_error("cannot draw a random JWT secret");
    secret_.assign(reinterpret_cast<const char*>(random.data()), random.size());
  }
  for (const auto& u : users) add_user(u);
}

std::string Auth::sign(std::string_view signing_input) const {
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  unsigned int len = 0;
  const unsigned char* ok = HMAC(EVP_sha256(), secret_.data(), static_cast<int>(secret_.size()),
                                 reinterpret_cast<const unsigned char*>(signing_input.data()),
                                 signing_input.size(), mac.data(), &len);
  if (ok == nullptr) throw std::runtime_error("HMAC-SHA256 failed");
  return base64url_encode(std::string_view(reinterpret_cast<const char*>(mac.data()), len));
}

std::string Auth::issue_token(const UserRecord& user, bool remember_me) const {
  Json payload = Json::object();
  payload["user_id"] = user.user_id;
  payload["email"] = user.email;
  payload["is_admin"] = user.is_admin;
  payload["remember_me"] = remember_me;
  payload["token_epoch"] = user.token_epoch;
  payload["exp"] = now_seconds() + lifetime_seconds(remember_me);
  const std::string input = base64url_encode(R"({"alg":"HS256","typ":"JWT"})") + "." +
                            base64url_encode(payload.dump(-1, ' ', false, Json::error_handler_t::replace));
  return input + "." + sign(input);
}

std::optional<TokenClaims> Auth::verify_token(std::string_view token) const {
  const auto dot1 = token.find('.');
  if (dot1 == std::string_view::npos) return std::nullopt;
  const auto dot2 = token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos)
    return std::nullopt;
  // Signature first: nothing of an unsigned token is worth parsing.
  if (!equal_secret(sign(token.substr(0, dot2)), token.substr(dot2 + 1))) return std::nullopt;
  auto header_text = base64url_decode(token.substr(0, dot1));
  auto payload_text = base64url_decode(token.substr(dot1 + 1, dot2 - dot1 - 1));
  if (!header_text || !payload_text) return std::nullopt;
  try {
    const Json header = Json::parse(*header_text);
    if (!header.is_object() || header.value("alg", "") != "HS256") return std::nullopt;
    const Json p = Json::parse(*payload_text);
    if (!p.is_object()) return std::nullopt;
    TokenClaims c;
    c.user_id = p.at("user_id").get<std::string>();
    c.email = p.value("email", "");
    c.is_admin = p.value("is_admin", false);
    c.remember_me = p.value("remember_me", false);
    c.token_epoch = p.value("token_epoch", std::int64_t{0});
    c.exp = p.at("exp").get<std::int64_t>();
    if (c.exp <= now_seconds()) return std::nullopt;
    return c;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::optional<std::string> Auth::bearer_token(const Request& req) const {
  auto value = req.header("authorization");
  if (!value) return std::nullopt;
  std::string_view v = *value;
  if (v.size() < 7 || ivk::detail::ascii_lower(v.substr(0, 7)) != "bearer ") return std::nullopt;
  v.remove_prefix(7);
  while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
  while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
  if (v.empty()) return std::nullopt;
  return std::string(v);
}

Auth::Outcome Auth::authenticate(const Request& req, Access access, AuthFlavor flavor) const {
  Outcome out;
  const bool strict = flavor == AuthFlavor::current_user;
  const auto token = bearer_token(req);
  if (access == Access::public_route) {
    // Public routes never fail on credentials; a valid token still names the caller.
    out.user = multiuser_ ? User{} : system_user();
    if (token)
      if (auto claims = verify_token(*token))
        if (auto u = find_user(claims->user_id); u && u->is_active && u->token_epoch == claims->token_epoch)
          out.user = to_user(*u);
    return out;
  }
  if (!multiuser_ && !strict) {
    out.user = system_user();
    return out;
  }
  if (!token) {
    out.error = strict ? unauthorized("Missing authentication credentials", true)
                       : unauthorized("Authentication required", false);
    return out;
  }
  const auto claims = verify_token(*token);
  if (!claims) {
    out.error = strict ? unauthorized("Invalid or expired authentication token", true)
                       : unauthorized("Invalid or expired token", false);
    return out;
  }
  const auto user = find_user(claims->user_id);
  if (!user || !user->is_active || user->token_epoch != claims->token_epoch) {
    out.error = strict ? unauthorized("User account is inactive or does not exist", true)
                       : unauthorized("User not found or inactive", false);
    return out;
  }
  if (access == Access::admin && !user->is_admin) {
    out.error = Response::detail(403, "Admin privileges required");
    return out;
  }
  out.user = to_user(*user);
  return out;
}

std::optional<std::string> Auth::refreshed_token(const Request& req) const {
  const auto token = bearer_token(req);
  if (!token) return std::nullopt;
  const auto claims = verify_token(*token);
  if (!claims) return std::nullopt;
  const auto user = find_user(claims->user_id);
  if (!user || !user->is_active || user->token_epoch != claims->token_epoch) return std::nullopt;
  return issue_token(*user, claims->remember_me);
}

Auth::LoginResult Auth::login(std::string_view email, std::string_view password, UserRecord& out) {
  std::lock_guard lock(mutex_);
  const std::string wanted = ivk::detail::ascii_lower(email);
  for (auto& u : users_) {
    if (ivk::detail::ascii_lower(u.email) != wanted) continue;
    if (!equal_secret(u.password, password)) return LoginResult::bad_credentials;
    if (!u.is_active) return LoginResult::disabled;
    u.last_login_at = iso_now();
    out = u;
    return LoginResult::ok;
  }
  return LoginResult::bad_credentials;
}

std::optional<UserRecord> Auth::find_user(std::string_view user_id) const {
  std::lock_guard lock(mutex_);
  for (const auto& u : users_)
    if (u.user_id == user_id) return u;
  return std::nullopt;
}

std::vector<UserRecord> Auth::users() const {
  std::lock_guard lock(mutex_);
  return users_;
}

bool Auth::has_admin() const {
  std::lock_guard lock(mutex_);
  return std::any_of(users_.begin(), users_.end(), [](const UserRecord& u) { return u.is_admin; });
}

std::optional<std::string> Auth::admin_email() const {
  std::lock_guard lock(mutex_);
  for (const auto& u : users_)
    if (u.is_admin) return u.email;
  return std::nullopt;
}

std::optional<UserRecord> Auth::add_user(const EmulatorUser& user) {
  std::lock_guard lock(mutex_);
  const std::string wanted = ivk::detail::ascii_lower(user.email);
  for (const auto& u : users_)
    if (ivk::detail::ascii_lower(u.email) == wanted) return std::nullopt;
  UserRecord r;
  r.user_id = ivk::detail::uuid4();
  r.email = user.email;
  r.display_name = user.display_name.empty() ? user.email.substr(0, user.email.find('@')) : user.display_name;
  r.password = user.password;
  r.is_admin = user.is_admin;
  r.is_active = user.is_active;
  r.created_at = iso_now();
  r.updated_at = r.created_at;
  users_.push_back(r);
  return r;
}

nlohmann::ordered_json Auth::user_dto(const UserRecord& user) {
  Json dto = Json::object();
  dto["user_id"] = user.user_id;
  dto["email"] = user.email;
  dto["display_name"] = user.display_name;
  dto["is_admin"] = user.is_admin;
  dto["is_active"] = user.is_active;
  dto["created_at"] = user.created_at;
  dto["updated_at"] = user.updated_at;
  dto["last_login_at"] = user.last_login_at ? Json(*user.last_login_at) : Json(nullptr);
  dto["token_epoch"] = user.token_epoch;
  return dto;
}

User Auth::to_user(const UserRecord& user) {
  return User{user.user_id, user.email, user.display_name, user.is_admin};
}

User Auth::system_user() { return User{"system", "system@system.invokeai", "System", true}; }

}  // namespace ivk::emu
