#include "transport/server_error.h"

#include <gtest/gtest.h>

#include <string>

namespace {

using ivk::ErrorCode;

bool contains(const std::string& text, std::string_view part) { return text.find(part) != std::string::npos; }

TEST(ServerError, StringDetailAndWhere) {
  const auto e =
      ivk::error_from_response(404, "GET", "/api/v1/boards/abc", R"({"detail":"Board not found"})");
  EXPECT_EQ(e.code, ErrorCode::not_found);
  EXPECT_EQ(e.http_status, 404);
  EXPECT_EQ(e.where, "GET /api/v1/boards/abc");
  EXPECT_EQ(e.detail, "Board not found");
  EXPECT_TRUE(contains(e.message, "Not Found: check the URL"));
  EXPECT_TRUE(contains(e.message, "server version"));
  EXPECT_TRUE(contains(e.message, "the id"));
  EXPECT_EQ(e.describe(), "GET /api/v1/boards/abc: " + e.message + " (HTTP 404): Board not found");
}

TEST(ServerError, StatusCodesMapToErrorCodes) {
  EXPECT_EQ(ivk::error_from_response(401, "GET", "/p", "").code, ErrorCode::auth);
  EXPECT_EQ(ivk::error_from_response(403, "GET", "/p", "").code, ErrorCode::auth);
  EXPECT_EQ(ivk::error_from_response(404, "GET", "/p", "").code, ErrorCode::not_found);
  EXPECT_EQ(ivk::error_from_response(409, "PUT", "/p", "").code, ErrorCode::conflict);
  for (int status : {400, 405, 422, 429, 500, 502, 503, 504, 418})
    EXPECT_EQ(ivk::error_from_response(status, "GET", "/p", "").code, ErrorCode::http) << status;
}

TEST(ServerError, MessagesSayWhatToDo) {
  const auto unauthorized = ivk::error_from_response(401, "GET", "/api/v1/queue/default/status",
                                                     R"({"detail":"Authentication required"})");
  EXPECT_TRUE(contains(unauthorized.message, "log in or pass --token / INVOKEAI_TOKEN"));
  EXPECT_EQ(unauthorized.detail, "Authentication required");
  const auto forbidden = ivk::error_from_response(403, "POST", "/api/v1/auth/login",
                                                  R"({"detail":"Multiuser mode is disabled."})");
  EXPECT_TRUE(contains(forbidden.message, "admin privileges"));
  EXPECT_TRUE(contains(ivk::error_from_response(422, "POST", "/p", "").message,
                       "the server rejected the request body"));
  const auto internal = ivk::error_from_response(500, "POST", "/api/v1/queue/default/enqueue_batch",
                                                 R"({"detail":"Unexpected error while enqueuing batch: x"})");
  EXPECT_TRUE(contains(internal.message, "retrying will not help"));
  EXPECT_EQ(internal.detail, "Unexpected error while enqueuing batch: x");
  EXPECT_TRUE(
      contains(ivk::error_from_response(503, "GET", "/p", "").message, "check that InvokeAI is running"));
  EXPECT_TRUE(contains(ivk::error_from_response(409, "PUT", "/p", "").message, "conflicts"));
}

// Spec §12: the body FastAPI sends when a graph fails validation on enqueue.
TEST(ServerError, ValidationListRenderedPerField) {
  const std::string body =
      R"({"detail":[{"type":"value_error","loc":["body","batch","graph"],)"
      R"("msg":"Value error, Edge source node x does not exist in the graph",)"
      R"("input":{"id":"g","nodes":{"a":{"id":"a","type":"add","a":1,"b":2}},"edges":[{"source":{"node_id":"x","field":"value"}}]},)"
      R"("ctx":{"error":{}}},)"
      R"({"type":"enum","loc":["query","base_models",0],"msg":"Input should be 'sd-1', 'sd-2' or 'sdxl'",)"
      R"("input":"sdxxl","ctx":{"expected":"'sd-1', 'sd-2' or 'sdxl'"}}]})";
  const auto e = ivk::error_from_response(422, "POST", "/api/v1/queue/default/enqueue_batch", body);
  EXPECT_EQ(e.code, ErrorCode::http);
  EXPECT_EQ(e.http_status, 422);
  EXPECT_EQ(e.detail,
            "body.batch.graph: Value error, Edge source node x does not exist in the graph; "
            "query.base_models.0: Input should be 'sd-1', 'sd-2' or 'sdxl' (input: \"sdxxl\")");
}

TEST(ServerError, ValidationListEdgeCases) {
  EXPECT_EQ(
      ivk::render_error_body(
          R"({"detail":[{"type":"greater_than_equal","loc":["body","batch","runs"],"msg":"Input should be greater than or equal to 1","input":0,"ctx":{"ge":1}}]})"),
      "body.batch.runs: Input should be greater than or equal to 1 (input: 0)");
  EXPECT_EQ(
      ivk::render_error_body(
          R"({"detail":[{"type":"json_invalid","loc":["body",17],"msg":"JSON decode error","input":{},"ctx":{"error":"Expecting value"}}]})"),
      "body.17: JSON decode error (input: {})");
  EXPECT_EQ(ivk::render_error_body(R"({"detail":[{"msg":"Field required"}]})"), "Field required");
  EXPECT_EQ(ivk::render_error_body(R"({"detail":["odd"]})"), R"("odd")");

  std::string many = R"({"detail":[)";
  for (int i = 0; i < 12; ++i) {
    if (i > 0) many += ',';
    many += R"({"loc":["body","x",)" + std::to_string(i) + R"(],"msg":"bad"})";
  }
  many += "]}";
  const auto rendered = ivk::render_error_body(many);
  EXPECT_TRUE(contains(rendered, "body.x.0: bad; body.x.1: bad"));
  EXPECT_TRUE(contains(rendered, "body.x.9: bad; (and 2 more)"));
  EXPECT_FALSE(contains(rendered, "body.x.10"));
}

TEST(ServerError, DictDetailRenderedCompactly) {
  EXPECT_EQ(ivk::render_error_body(R"({"detail": {"board_id": "b1", "deleted_images": [ "x.png" ]}})"),
            R"({"board_id":"b1","deleted_images":["x.png"]})");
  EXPECT_EQ(ivk::render_error_body(R"({"error": "nope"})"), R"({"error":"nope"})");
  const std::string long_dict = R"({"detail":{"k":")" + std::string(400, 'a') + R"("}})";
  const auto rendered = ivk::render_error_body(long_dict);
  EXPECT_EQ(rendered.size(), 303U);
  EXPECT_EQ(rendered.substr(300), "...");
}

TEST(ServerError, HtmlBodySummarised) {
  const std::string html =
      "<html>\r\n<head><title>502 Bad Gateway</title><style>body{color:red}</style></head>\r\n"
      "<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.24.0 &amp; co</center>\r\n"
      "</body>\r\n</html>\r\n";
  const auto e = ivk::error_from_response(502, "GET", "/api/v1/app/version", html);
  EXPECT_EQ(e.detail, "502 Bad Gateway 502 Bad Gateway nginx/1.24.0 & co");
  EXPECT_TRUE(contains(e.message, "Bad Gateway: "));
  EXPECT_EQ(e.describe(), "GET /api/v1/app/version: " + e.message + " (HTTP 502): " + e.detail);

  const auto long_text = ivk::render_error_body(std::string(500, 'x'));
  EXPECT_EQ(long_text, std::string(200, 'x') + "...");
  // A cut never splits a UTF-8 sequence.
  const auto accents = ivk::render_error_body("a" + std::string(150, '\xC3') + std::string(1, '\xA9'));
  EXPECT_LE(accents.size(), 203U);
  std::string utf8 = "a";
  for (int i = 0; i < 150; ++i) utf8 += "\xC3\xA9";
  const auto cut = ivk::render_error_body(utf8);
  EXPECT_EQ(cut, "a" + std::string(utf8.substr(1, 198)) + "...");
  EXPECT_EQ(ivk::render_error_body("Internal Server Error"), "Internal Server Error");
  EXPECT_EQ(ivk::render_error_body("  \n"), "");
  EXPECT_EQ(ivk::render_error_body("{not json"), "{not json");
}

TEST(ServerError, ReasonPhrases) {
  EXPECT_EQ(ivk::http_reason_phrase(422), "Unprocessable Content");
  EXPECT_EQ(ivk::http_reason_phrase(299), "");
  const auto odd = ivk::error_from_response(418, "GET", "/p", "");
  EXPECT_EQ(odd.message, "the server rejected the request");
  EXPECT_EQ(odd.detail, "");
}

}  // namespace
