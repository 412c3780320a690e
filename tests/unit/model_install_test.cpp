// Reading ModelInstallJob objects: the source union, open statuses, outcomes.
#include <gtest/gtest.h>

#include "ivk/api/model_install.h"

namespace {

using ivk::InstallState;
using ivk::parse_install_job;

TEST(ModelInstallJob, ReadsAnHfJobInProgress) {
  auto job = parse_install_job(R"({"id":3,"status":"downloading","error_reason":null,"config_in":{},
    "config_out":null,"inplace":false,
    "source":{"repo_id":"stabilityai/sdxl-turbo","variant":"fp16","subfolder":null,"access_token":null,"type":"hf"},
    "local_path":"/tmp/x","bytes":104857600,"total_bytes":6938040682,"error":null,"error_traceback":null})");
  ASSERT_TRUE(job) << job.error().describe();
  EXPECT_EQ(job->id, 3);
  EXPECT_EQ(job->state(), InstallState::downloading);
  EXPECT_FALSE(job->is_terminal());
  EXPECT_EQ(job->source, "stabilityai/sdxl-turbo:fp16");
  EXPECT_EQ(job->source_type, "hf");
  EXPECT_EQ(job->bytes, 104857600);
  EXPECT_EQ(job->total_bytes, 6938040682);
  EXPECT_NEAR(*job->fraction(), 104857600.0 / 6938040682.0, 1e-12);
  EXPECT_FALSE(job->config_out);
  EXPECT_TRUE(job->as_status());
}

TEST(ModelInstallJob, WritesEverySourceKindAsInstallTakesIt) {
  auto text = [](const char* source) {
    auto job = parse_install_job(std::string(R"({"id":1,"status":"waiting","source":)") + source + "}");
    return job ? job->source : "error: " + job.error().describe();
  };
  EXPECT_EQ(text(R"({"path":"/m/x.safetensors","inplace":true,"type":"local"})"), "/m/x.safetensors");
  EXPECT_EQ(text(R"({"url":"https://e.com/x.safetensors","access_token":null,"type":"url"})"),
            "https://e.com/x.safetensors");
  EXPECT_EQ(text(R"({"repo_id":"o/r","variant":null,"subfolder":"vae","type":"hf"})"), "o/r::vae");
  EXPECT_EQ(text(R"({"repo_id":"o/r","variant":"fp16","subfolder":"unet","type":"hf"})"), "o/r:fp16:unet");
  EXPECT_EQ(text(R"({"repo_id":"o/r","variant":"","subfolder":null,"type":"hf"})"), "o/r");
  EXPECT_EQ(text(R"({"provider_id":"openai","provider_model_id":"gpt-image-1","type":"external"})"),
            "external://openai/gpt-image-1");
  // Servers before 5.6 sent the source as a plain string.
  EXPECT_EQ(text(R"("owner/repo")"), "owner/repo");
}

TEST(ModelInstallJob, UnknownStatusIsKeptAndNotTerminal) {
  auto job = parse_install_job(R"({"id":7,"status":"verifying","source":"x"})");
  ASSERT_TRUE(job);
  EXPECT_EQ(job->status, "verifying");
  EXPECT_EQ(job->state(), InstallState::other);
  EXPECT_FALSE(job->is_terminal());
  EXPECT_FALSE(job->fraction());
}

TEST(ModelInstallJob, OutcomesOfTerminalJobs) {
  auto duplicate = parse_install_job(
      R"({"id":2,"status":"error","source":"x","error_reason":"DuplicateModelException","error":"already there"})");
  ASSERT_TRUE(duplicate);
  EXPECT_TRUE(duplicate->is_terminal());
  EXPECT_TRUE(duplicate->is_duplicate());
  EXPECT_TRUE(duplicate->succeeded());
  EXPECT_TRUE(duplicate->as_status());

  auto failed = parse_install_job(
      R"({"id":4,"status":"error","source":"https://e.com/a","error_reason":"HTTPError","error":"404 Not Found"})");
  ASSERT_TRUE(failed);
  auto s = failed->as_status();
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, ivk::ErrorCode::http);
  EXPECT_EQ(s.error().message, "model install 4 of 'https://e.com/a' failed: HTTPError");
  EXPECT_EQ(s.error().detail, "404 Not Found");

  auto cancelled = parse_install_job(R"({"id":5,"status":"cancelled","source":"x"})");
  ASSERT_TRUE(cancelled);
  EXPECT_EQ(cancelled->as_status().error().code, ivk::ErrorCode::cancelled);
  EXPECT_FALSE(cancelled->succeeded());
}

TEST(ModelInstallJob, ReadsTheInstalledRecord) {
  auto job = parse_install_job(R"({"id":9,"status":"completed","source":"x","bytes":10,"total_bytes":10,
    "config_out":{"key":"k","hash":"h","name":"n","base":"sdxl","type":"lora","format":"lycoris"}})");
  ASSERT_TRUE(job) << job.error().describe();
  ASSERT_TRUE(job->config_out);
  EXPECT_EQ(job->config_out->key, "k");
  EXPECT_EQ(job->config_out->type, "lora");
  EXPECT_EQ(job->fraction(), 1.0);

  auto bad = parse_install_job(R"({"id":9,"status":"completed","config_out":{"key":"k"}})");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ivk::ErrorCode::parse_error);
  EXPECT_EQ(bad.error().where, "$.config_out.hash");
}

TEST(ModelInstallJob, RejectsWhatIsNotAJob) {
  EXPECT_EQ(parse_install_job("nope").error().code, ivk::ErrorCode::parse_error);
  EXPECT_EQ(parse_install_job(R"({"status":"waiting"})").error().where, "$.id");
  auto list = ivk::parse_install_job_list(R"([{"id":1,"status":"waiting"},{"status":"x"}])");
  ASSERT_FALSE(list);
  EXPECT_EQ(list.error().where, "$[1].id");
  auto empty = ivk::parse_install_job_list("[]");
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());
}

}  // namespace
