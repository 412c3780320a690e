#pragma once
// The execution simulation of one queue item: its prepared nodes in topological order, invocation
// events per node, steps of step_ms for denoise nodes, real PNGs for image nodes, and the injected
// failure of fail_node_type. What it needs of the queue (the item under the queue's lock, events)
// goes through ExecutionHost and the waits through ExecutorOptions::sleep, so a test can run an item
// synchronously, without the worker thread, a socket or real delays. Private to the emulator.
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "images/image_store.h"
#include "queue/execution_plan.h"
#include "queue/queue_item.h"

namespace ivk::emu {

using QueueEvents = std::vector<std::pair<std::string, Json>>;  // event name and payload, in order

// What the execution reads from the item when it starts.
struct ItemStart {
  Json graph;
  Json workflow;
  Json event_base;  // the item's fields that every invocation event carries
  std::string session_id;
};

// The queue as one item's execution sees it. QueueService implements it over its items and lock.
class ExecutionHost {
 public:
  virtual ~ExecutionHost() = default;

  // The item's start data; nullopt when the item no longer exists.
  virtual std::optional<ItemStart> start_item(std::int64_t item_id) = 0;
  // Whether the execution goes on: the item still in progress and the queue not stopping.
  virtual bool running(std::int64_t item_id) = 0;
  // Applies `change` to the item if it is still in progress, then emits the events `change` added;
  // false, with nothing changed or emitted, otherwise. `change` runs under the queue's lock, so it
  // must not block (no image encoding, no sleeping).
  virtual bool update_item(std::int64_t item_id,
                           const std::function<void(QueueItem&, QueueEvents&)>& change) = 0;
  // Only inside `change`: a status change (adding its queue_item_status_changed event) and the
  // write-through of the item's session.
  virtual void set_status_locked(QueueItem& item, const std::string& status, QueueEvents& events) = 0;
  virtual void persist_session_locked(const QueueItem& item) = 0;
  // Emits events outside any item change (invocation_started, invocation_progress).
  virtual void emit(QueueEvents events) const = 0;

 protected:
  ExecutionHost() = default;
  ExecutionHost(const ExecutionHost&) = default;
  ExecutionHost& operator=(const ExecutionHost&) = default;
};

struct ExecutorOptions {
  int step_ms = 0;             // the wait before each denoising step (0: none)
  std::string fail_node_type;  // nodes of this type fail with a RuntimeError (empty: none)
  // How a step waits; empty: std::this_thread::sleep_for.
  std::function<void(std::chrono::milliseconds)> sleep;
};

// Runs one item once: construct, then run(). Not thread-safe; the host provides the locking.
class ItemExecutor {
 public:
  enum class Outcome {
    completed,  // every node ran and the item became completed
    failed,     // a node failed and the item became failed
    stopped,    // the item left in_progress (canceled, deleted) or the queue stopped: left as it is
  };

  ItemExecutor(ExecutionHost& host, ImageStore& images, ExecutorOptions options, std::int64_t item_id);

  Outcome run();

 private:
  bool prepare();  // false when the item is gone
  // The node's size, with its inputs filled from the outputs of earlier nodes as the server fills
  // a prepared node before running it.
  Size fill_inputs(std::size_t n);
  // An iterate node's index, item and total; the seed and prompt a node sets for later pixels.
  void apply_iteration_and_seed(PreparedNode& p);
  std::optional<Outcome> run_node(std::size_t n);  // nullopt: the node completed, go on
  bool denoise(const PreparedNode& p);             // false: stopped between steps
  Result<std::string> store_image(const PreparedNode& p, Size size);
  bool record(std::size_t n);  // the node's results into the session; false: stopped
  Outcome finish();
  Outcome fail(const PreparedNode& p, const std::string& type, const std::string& message);
  std::pair<std::string, Json> event(const PreparedNode& p, const char* name, Json extra) const;

  ExecutionHost& host_;
  ImageStore& images_;
  ExecutorOptions options_;
  std::int64_t item_id_;

  ItemStart start_;
  ExecutionPlan plan_;
  std::vector<Json> results_;  // per prepared node, once it ran
  std::vector<Size> sizes_;
  RunContext ctx_;
};

}  // namespace ivk::emu
