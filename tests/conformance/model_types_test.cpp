// The model types ivk knows (a "<type>_model" field implies its type) against the ModelType enum of
// a real server's OpenAPI document: a type the server has but ivk's list lacks would leave such
// fields without a wanted type, so check_compatibility could not see a model of the wrong type there.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <string>
#include <string_view>

#include "models/model_slots_internal.h"
#include "support/fixtures.h"

namespace json = boost::json;

TEST(ModelTypes, KnownTypesHoldEveryModelTypeOfTheServer) {
  const json::value doc = json::parse(ivk::test::read_file(ivk::test::openapi_path()));
  const json::array& server_types = doc.at("components").at("schemas").at("ModelType").at("enum").as_array();
  ASSERT_FALSE(server_types.empty());
  const auto known = ivk::detail::known_model_types();
  for (const json::value& t : server_types) {
    const std::string_view type = t.as_string();
    EXPECT_TRUE(std::find(known.begin(), known.end(), type) != known.end())
        << "model type '" << type << "' of the server is missing from ivk::detail::known_model_types()";
  }
}

TEST(ModelTypes, KnownTypesHaveNoDuplicates) {
  const auto known = ivk::detail::known_model_types();
  for (std::string_view type : known) EXPECT_EQ(std::count(known.begin(), known.end(), type), 1) << type;
}
