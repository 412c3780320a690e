// Retry decisions and Retry-After parsing (pure; see include/ivk/transport/retry_policy.h).
#include "transport/retry_decision.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <random>
#include <vector>
#include "core/ascii_case.h"

namespace ivk {

namespace {

using std::chrono::milliseconds;

std::optional<long long> to_number(std::string_view s) {
  if (s.empty() || !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  long long value = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc{} || end != s.data() + s.size()) return std::nullopt;
  return value;
}

int month_number(std::string_view name) {
  static constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                               "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  for (std::size_t i = 0; i < kMonths.size(); ++i)
    if (detail::equals_ignoring_ascii_case(name, kMonths[i])) return static_cast<int>(i) + 1;
  return 0;
}

// "08:49:37" -> seconds since midnight.
std::optional<long long> time_of_day(std::string_view s) {
  if (s.size() != 8 || s[2] != ':' || s[5] != ':') return std::nullopt;
  const auto h = to_number(s.substr(0, 2));
  const auto m = to_number(s.substr(3, 2));
  const auto sec = to_number(s.substr(6, 2));
  if (!h || !m || !sec || *h > 23 || *m > 59 || *sec > 60) return std::nullopt;
  return *h * 3600 + *m * 60 + *sec;
}

std::optional<std::chrono::system_clock::time_point> parse_http_date(std::string_view text) {
  std::vector<std::string_view> tokens;
  std::size_t start = std::string_view::npos;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    const bool sep = i == text.size() || text[i] == ' ' || text[i] == ',' || text[i] == '-';
    if (sep && start != std::string_view::npos) {
      tokens.push_back(text.substr(start, i - start));
      start = std::string_view::npos;
    } else if (!sep && start == std::string_view::npos) {
      start = i;
    }
  }
  std::optional<long long> day, year, seconds;
  int month = 0;
  if (tokens.size() == 6 && detail::equals_ignoring_ascii_case(tokens[5], "GMT")) {
    // IMF-fixdate "Sun, 06 Nov 1994 08:49:37 GMT" or RFC 850 "Sunday, 06-Nov-94 08:49:37 GMT".
    day = to_number(tokens[1]);
    month = month_number(tokens[2]);
    year = to_number(tokens[3]);
    seconds = time_of_day(tokens[4]);
    if (year && tokens[3].size() == 2)
      *year += *year < 70 ? 2000 : 1900;
    else if (tokens[3].size() != 4)
      year.reset();
  } else if (tokens.size() == 5) {
    // asctime "Sun Nov  6 08:49:37 1994".
    month = month_number(tokens[1]);
    day = to_number(tokens[2]);
    seconds = time_of_day(tokens[3]);
    year = to_number(tokens[4]);
  }
  if (!day || !year || !seconds || month == 0) return std::nullopt;
  const std::chrono::year_month_day date{std::chrono::year{static_cast<int>(*year)},
                                         std::chrono::month{static_cast<unsigned>(month)},
                                         std::chrono::day{static_cast<unsigned>(*day)}};
  if (!date.ok()) return std::nullopt;
  return std::chrono::sys_days{date} + std::chrono::seconds{*seconds};
}

}  // namespace

Idempotency default_idempotency(std::string_view method) noexcept {
  for (std::string_view m : {"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
    if (detail::equals_ignoring_ascii_case(method, m)) return Idempotency::idempotent;
  return Idempotency::not_idempotent;
}

}  // namespace ivk

namespace ivk::detail {

DefaultRandomSource::DefaultRandomSource() {
  std::random_device device;
  state_ = (static_cast<std::uint64_t>(device()) << 32) ^ device();
}

double DefaultRandomSource::next_unit() {
  // splitmix64, top 53 bits as a double in [0, 1).
  std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  z ^= z >> 31;
  return static_cast<double>(z >> 11) * 0x1.0p-53;
}

bool is_retryable(Idempotency idempotency, const AttemptOutcome& outcome) noexcept {
  if (idempotency != Idempotency::idempotent) return false;
  if (outcome.failure) return *outcome.failure != TransportFailure::other;
  switch (outcome.http_status) {
    case 429:
    case 502:
    case 503:
    case 504: return true;
    default: return false;
  }
}

std::optional<milliseconds> parse_retry_after(std::string_view value,
                                              std::chrono::system_clock::time_point now) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  if (value.front() >= '0' && value.front() <= '9') {
    const auto seconds = to_number(value);
    if (!seconds) {
      // Too many digits for long long is still "a very long time"; anything else is not a number.
      if (std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return milliseconds::max();
      return std::nullopt;
    }
    if (*seconds > 1'000'000'000LL) return milliseconds::max();
    return milliseconds{*seconds * 1000};
  }
  const auto when = parse_http_date(value);
  if (!when) return std::nullopt;
  if (*when <= now) return milliseconds{0};
  return std::chrono::duration_cast<milliseconds>(*when - now);
}

std::optional<milliseconds> next_delay(const RetryPolicy& policy, int attempt, Idempotency idempotency,
                                       const AttemptOutcome& outcome, RandomSource& random,
                                       std::chrono::system_clock::time_point now) {
  if (attempt < 1 || attempt >= policy.max_attempts) return std::nullopt;
  if (!is_retryable(idempotency, outcome)) return std::nullopt;
  if (outcome.retry_after) {
    if (const auto asked = parse_retry_after(*outcome.retry_after, now))
      return std::min(*asked, policy.max_retry_after);
  }
  const double max_ms = static_cast<double>(std::max<milliseconds::rep>(policy.max_delay.count(), 0));
  const double base_ms = static_cast<double>(std::max<milliseconds::rep>(policy.base_delay.count(), 0));
  const double exponential = std::min(base_ms * std::ldexp(1.0, std::min(attempt - 1, 62)), max_ms);
  const double jitter = std::clamp(policy.jitter, 0.0, 1.0);
  const double u = std::clamp(random.next_unit(), 0.0, 1.0);
  const double scaled = std::clamp(exponential * (1.0 + jitter * (2.0 * u - 1.0)), 0.0, max_ms);
  return milliseconds{static_cast<milliseconds::rep>(std::llround(scaled))};
}

std::optional<milliseconds> next_delay(const RetryPolicy& policy, int attempt, Idempotency idempotency,
                                       const AttemptOutcome& outcome, RandomSource& random) {
  return next_delay(policy, attempt, idempotency, outcome, random, std::chrono::system_clock::now());
}

}  // namespace ivk::detail
