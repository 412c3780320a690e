// Connects to an InvokeAI server and prints its version, its queue and its models.
//
//   queue_and_models [URL]      (without a URL: $INVOKEAI_URL, the config file, or http://127.0.0.1:9090)
#include <cstdio>

#include "ivk/ivk.h"

int main(int argc, char** argv) {
  auto options = ivk::ClientOptions::from_environment();
  if (argc > 1) options.url = argv[1];
  auto client = ivk::Client::connect(options);
  if (!client) {
    std::fprintf(stderr, "error: %s\n", client.error().describe().c_str());
    return 1;
  }
  ivk::Client& server = **client;

  auto version = server.version();
  auto status = server.queue().status();
  auto models = server.models().list();
  if (!version || !status || !models) {
    const ivk::Error& e = !version ? version.error() : !status ? status.error() : models.error();
    std::fprintf(stderr, "error: %s\n", e.describe().c_str());
    return 1;
  }

  std::printf("server %s at %s\n", version->to_string().c_str(), server.url().to_string().c_str());
  const ivk::QueueCounts& c = status->counts;
  std::printf("queue %s: %lld pending, %lld in progress, %lld completed, %lld failed, %lld canceled\n",
              status->queue_id.c_str(), static_cast<long long>(c.pending),
              static_cast<long long>(c.in_progress), static_cast<long long>(c.completed),
              static_cast<long long>(c.failed), static_cast<long long>(c.canceled));
  std::printf("%zu models\n", models->size());
  for (const ivk::ModelRecord& m : *models)
    std::printf("  %-12s %-10s %s\n", m.base.c_str(), m.type.c_str(), m.name.c_str());
  return 0;
}
