#include "events/event_dedupe.h"

#include <simdjson.h>

namespace ivk {
namespace dom = simdjson::dom;

namespace {

// Appends the compact JSON of `e` and a separator that cannot occur in compact JSON outside strings.
// Returns false when the member is absent, so a key is never built from partial data.
bool append_member(std::string& key, dom::element parent, std::string_view path) {
  dom::element e;
  if (parent.at_pointer(path).get(e) != simdjson::SUCCESS) return false;
  key += simdjson::minify(e);
  key += '\n';
  return true;
}

bool is_invocation_event(std::string_view name) {
  return name == "invocation_started" || name == "invocation_progress" || name == "invocation_complete" ||
         name == "invocation_error";
}

// The events some server version delivers twice (6.12.0-6.13.8; see event_dedupe.h).
bool is_deduplicated_event(std::string_view name) {
  return is_invocation_event(name) || name == "queue_item_status_changed" || name == "batch_enqueued";
}

// Whether the parsed payload has a non-null "image" member.
bool has_image(dom::element doc) {
  dom::element image;
  if (doc.at_pointer("/image").get(image) != simdjson::SUCCESS) return false;
  return !image.is_null();
}

// Malformed payloads count as "no image".
bool has_image(std::string_view payload_json) {
  thread_local dom::parser parser;  // reused: its buffers outlive one event
  dom::element doc;
  if (parser.parse(payload_json.data(), payload_json.size()).get(doc) != simdjson::SUCCESS) return false;
  return has_image(doc);
}

std::optional<std::string> key_of(std::string_view event_name, dom::element doc) {
  const bool invocation = is_invocation_event(event_name);
  if (!is_deduplicated_event(event_name) || !doc.is_object()) return std::nullopt;
  std::string key(event_name);
  key += '\n';
  bool ok = true;
  if (invocation) {
    ok = append_member(key, doc, "/item_id") && append_member(key, doc, "/invocation/id") &&
         append_member(key, doc, "/timestamp");
    // Absent in some versions' payloads, so optional; null and absent both give "null".
    if (ok && event_name == "invocation_progress") {
      if (!append_member(key, doc, "/percentage")) key += "null\n";
      if (!append_member(key, doc, "/message")) key += "null\n";
    }
  } else if (event_name == "queue_item_status_changed") {
    ok = append_member(key, doc, "/item_id") && append_member(key, doc, "/status") &&
         append_member(key, doc, "/timestamp");
    if (ok && !append_member(key, doc, "/status_sequence")) key += "null\n";  // < 6.13 has none
  } else {
    ok = append_member(key, doc, "/batch_id") && append_member(key, doc, "/timestamp");
  }
  if (!ok) return std::nullopt;
  return key;
}

}  // namespace

std::optional<std::string> event_dedupe_key(std::string_view event_name, std::string_view payload_json) {
  if (!is_deduplicated_event(event_name))
    return std::nullopt;            // skip parsing payloads that can never be duplicates
  thread_local dom::parser parser;  // reused: its buffers outlive one event
  dom::element doc;
  if (parser.parse(payload_json.data(), payload_json.size()).get(doc) != simdjson::SUCCESS)
    return std::nullopt;
  return key_of(event_name, doc);
}

bool duplicate_should_replace(std::string_view first_payload_json, std::string_view second_payload_json) {
  return !has_image(first_payload_json) && has_image(second_payload_json);
}

EventDeduper::EventDeduper(std::size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}

EventDeduper::Verdict EventDeduper::offer(std::string_view event_name, std::string_view payload_json) {
  if (!is_deduplicated_event(event_name)) return Verdict::deliver;
  // One parse for both the key and the image test: progress payloads carry a base64 preview image.
  thread_local dom::parser parser;  // reused: its buffers outlive one event
  dom::element doc;
  if (parser.parse(payload_json.data(), payload_json.size()).get(doc) != simdjson::SUCCESS)
    return Verdict::deliver;
  auto key = key_of(event_name, doc);
  if (!key) return Verdict::deliver;
  const bool image = has_image(doc);
  if (auto it = has_image_.find(*key); it != has_image_.end()) {
    if (!it->second && image) {
      it->second = true;
      return Verdict::replace;
    }
    return Verdict::drop;
  }
  if (order_.size() >= capacity_) {
    has_image_.erase(order_.front());
    order_.pop_front();
  }
  has_image_.emplace(*key, image);
  order_.push_back(std::move(*key));
  return Verdict::deliver;
}

void EventDeduper::clear() {
  order_.clear();
  has_image_.clear();
}

}  // namespace ivk
