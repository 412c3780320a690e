// UtilitiesApi: POST /api/v1/utilities/dynamicprompts.
#include "ivk/api/utilities_api.h"

#include "core/json_read.h"
#include "ivk/json_text.h"
#include "ivk/transport/server_session.h"

namespace ivk {

Result<DynamicPrompts> UtilitiesApi::dynamic_prompts(std::string_view prompt, int max_prompts,
                                                     bool combinatorial, std::optional<std::int64_t> seed) {
  if (max_prompts < 1 || max_prompts > 10000)
    return fail(ErrorCode::invalid_argument,
                "max_prompts must be between 1 and 10000, not " + std::to_string(max_prompts), "max_prompts");
  JsonBuilder b;
  b.begin_object().key("prompt").string(prompt).key("max_prompts").integer(max_prompts);
  b.key("combinatorial").boolean(combinatorial).key("seed");
  if (seed)
    b.integer(*seed);
  else
    b.null();
  b.end_object();
  // A pure computation despite the POST: safe to retry.
  auto body = session_->send_json("POST", ApiRoot::v1, "/utilities/dynamicprompts", b.str(), {},
                                  Idempotency::idempotent);
  if (!body) return tl::unexpected(body.error());
  dom::parser parser;
  auto o = parse_object(parser, *body, "dynamic prompts answer");
  if (!o) return tl::unexpected(o.error());
  dom::array prompts;
  if (o->at_key("prompts").get_array().get(prompts) != simdjson::SUCCESS)
    return fail(ErrorCode::parse_error, "dynamic prompts answer: missing array \"prompts\"", "$.prompts");
  return DynamicPrompts{string_array_member(*o, "prompts"), optional_string_member(*o, "error")};
}

}  // namespace ivk
