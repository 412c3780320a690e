// Output mapping on the recorded queue items of real servers and on sessions written here.
#include "ivk/client/output_mapping.h"

#include <gtest/gtest.h>

#include <memory>

#include "ivk/workflow/node_templates.h"
#include "ivk/workflow/workflow.h"
#include "support/fixtures.h"

namespace ivk {
namespace {

// The "session" member of a recorded queue item, as text.
std::string session_of(const std::string& item_file) {
  const std::string item = test::read_file(test::fixture("queue-items/" + item_file));
  const auto start = item.find("\"session\"");
  EXPECT_NE(start, std::string::npos);
  // The fixtures are plain JSON: cut the session object out by brace counting.
  auto open = item.find('{', start);
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = open; i < item.size(); ++i) {
    const char c = item[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == '"')
      in_string = true;
    else if (c == '{')
      ++depth;
    else if (c == '}' && --depth == 0)
      return item.substr(open, i - open + 1);
  }
  ADD_FAILURE() << "unterminated session";
  return {};
}

TEST(OutputMapping, SdxlRecordedItemMapsTheCanvasOutput) {
  auto images = map_item_images(session_of("sdxl-text-to-image.json"));
  ASSERT_TRUE(images) << images.error().message;
  ASSERT_EQ(images->outputs.size(), 1u);
  const auto& out = images->outputs[0];
  EXPECT_EQ(out.node_id, "canvas_output:JbPTiAJ26r");
  EXPECT_EQ(out.node_type, "l2i");
  EXPECT_EQ(out.board_id, "none");
  EXPECT_EQ(out.tier, "results");
  EXPECT_FALSE(out.is_intermediate);
  EXPECT_EQ(out.image_names, std::vector<std::string>{"fe4089fd-1187-4883-b180-8aaf2fc317ba.png"});
  EXPECT_EQ(images->collect, std::vector<std::string>{"fe4089fd-1187-4883-b180-8aaf2fc317ba.png"});
  EXPECT_EQ(images->all_images, images->collect);
}

TEST(OutputMapping, FluxRecordedItemCollectsTheDecodedImageNotTheInput) {
  auto images = map_item_images(session_of("flux-image-to-image.json"));
  ASSERT_TRUE(images) << images.error().message;
  // flux_vae_encode (intermediate, no image) and flux_vae_decode are output-capable types.
  ASSERT_EQ(images->outputs.size(), 2u);
  EXPECT_EQ(images->outputs[0].node_type, "flux_vae_encode");
  EXPECT_EQ(images->outputs[0].tier, "none");
  EXPECT_TRUE(images->outputs[0].is_intermediate);
  EXPECT_EQ(images->outputs[1].node_id, "7e5172eb-48c1-44db-a770-8fd83e1435d1");
  EXPECT_EQ(images->outputs[1].image_names,
            std::vector<std::string>{"ea39c155-c6e2-41b2-b9a3-d210b6e37750.png"});
  EXPECT_EQ(images->collect, std::vector<std::string>{"ea39c155-c6e2-41b2-b9a3-d210b6e37750.png"});
  // The loaded input image is a result too, but of an intermediate "image" node.
  EXPECT_EQ(images->all_images, (std::vector<std::string>{"e95bfe35-42f9-4693-968a-65ea655641a5.png",
                                                          "ea39c155-c6e2-41b2-b9a3-d210b6e37750.png"}));
}

TEST(OutputMapping, IteratedNodesAndCollectionsGiveEveryImageOnce) {
  const std::string session = R"({
    "graph": {"nodes": {
      "save": {"id": "save", "type": "save_image", "is_intermediate": false, "board": {"board_id": "b1"}},
      "grid": {"id": "grid", "type": "custom_grid", "is_intermediate": false}}},
    "prepared_source_mapping": {"p1": "save", "p2": "save", "p3": "grid"},
    "results": {
      "p1": {"type": "image_output", "image": {"image_name": "a.png"}, "width": 8, "height": 8},
      "p2": {"type": "image_output", "image": {"image_name": "b.png"}, "width": 8, "height": 8},
      "p3": {"type": "image_collection_output", "collection": [{"image_name": "c.png"}, {"image_name": "a.png"}]}}})";
  auto images = map_item_images(session);
  ASSERT_TRUE(images) << images.error().message;
  ASSERT_EQ(images->outputs.size(), 1u);
  EXPECT_EQ(images->outputs[0].board_id, "b1");
  EXPECT_EQ(images->outputs[0].image_names, (std::vector<std::string>{"a.png", "b.png"}));
  EXPECT_EQ(images->all_images, (std::vector<std::string>{"a.png", "b.png", "c.png"}));
  EXPECT_EQ(images->collect, (std::vector<std::string>{"a.png", "b.png"}));
}

TEST(OutputMapping, UnknownSavingNodeFallsBackToEveryNonIntermediateImage) {
  const std::string session = R"({
    "graph": {"nodes": {"x": {"type": "my_saver", "is_intermediate": false},
                        "y": {"type": "my_helper", "is_intermediate": true}}},
    "prepared_source_mapping": {"px": "x", "py": "y"},
    "results": {"py": {"image": {"image_name": "tmp.png"}}, "px": {"image": {"image_name": "keep.png"}}}})";
  auto images = map_item_images(session);
  ASSERT_TRUE(images);
  EXPECT_TRUE(images->outputs.empty());
  EXPECT_EQ(images->collect, std::vector<std::string>{"keep.png"});
}

TEST(OutputMapping, PendingSessionHasNoImagesAndBrokenSessionsAreErrors) {
  auto pending = map_item_images(R"({"graph": {"nodes": {"s": {"type": "l2i"}}}, "results": {}})");
  ASSERT_TRUE(pending);
  ASSERT_EQ(pending->outputs.size(), 1u);
  EXPECT_EQ(pending->outputs[0].tier, "none");
  EXPECT_TRUE(pending->collect.empty());

  auto not_json = map_item_images("{");
  ASSERT_FALSE(not_json);
  EXPECT_EQ(not_json.error().code, ErrorCode::parse_error);
  auto bad_results = map_item_images(R"({"results": [1]})");
  ASSERT_FALSE(bad_results);
  EXPECT_EQ(bad_results.error().where, "$.session.results");
}

TEST(OutputMapping, TemplatesDecideWhichTypesAreOutputs) {
  auto templates = NodeTemplates::from_openapi_file(test::openapi_path());
  ASSERT_TRUE(templates) << templates.error().message;
  EXPECT_TRUE(is_output_node_type("save_image", &*templates));
  EXPECT_TRUE(is_output_node_type("l2i", &*templates));
  EXPECT_TRUE(is_output_node_type("img_resize", &*templates));  // WithBoard, image output
  EXPECT_FALSE(is_output_node_type("noise", &*templates));
  EXPECT_FALSE(is_output_node_type("img_resize", nullptr));  // not on the Python client's list
  EXPECT_TRUE(is_output_node_type("flux_vae_decode", nullptr));
}

TEST(OutputMapping, WorkflowGivesTheBoardInputIndex) {
  auto wf = Workflow::load_file(test::fixture("workflows/sdxl-text-to-image.json"));
  ASSERT_TRUE(wf) << wf.error().message;
  auto images = map_item_images(session_of("sdxl-text-to-image.json"), nullptr, &*wf);
  ASSERT_TRUE(images);
  ASSERT_EQ(images->outputs.size(), 1u);
  // spec/pyclient.md §1.13: canvas_output:JbPTiAJ26r is input 8 of this workflow.
  ASSERT_TRUE(images->outputs[0].input_index.has_value());
  EXPECT_EQ(*images->outputs[0].input_index, 8);
}

}  // namespace
}  // namespace ivk
