#pragma once
// The emulator's session queue: enqueue_batch with the server's batch expansion, the
// queue routes, and the execution simulation that runs one item at a time on a worker thread,
// "executing" each node in topological order and writing real PNGs for image outputs into the
// ImageStore. Queue and invocation events go to the EventSink (Socket.IO forwards them).
#include <memory>

#include "http/router.h"
#include "images/image_store.h"
#include "ivk/emulator.h"
#include "ivk/error.h"
#include "ivk/workflow/node_templates.h"
#include "model_manager/model_manager.h"  // EventSink
#include "storage/state_db.h"

namespace ivk::emu {

class SessionQueue {
 public:
  // Starts the worker. images must outlive the queue. With a database (--persist) the stored items
  // are loaded first and those that were in progress become canceled, as the server does at start
  // (their run was cut short); the worker then runs the pending ones. Errors: io (unreadable
  // database).
  static Result<std::unique_ptr<SessionQueue>> create(const EmulatorOptions& options, ImageStore& images,
                                                      EventSink events = {},
                                                      std::shared_ptr<StateDb> db = {});
  virtual ~SessionQueue() = default;  // the implementation stops and joins its worker
  SessionQueue(const SessionQueue&) = delete;
  SessionQueue& operator=(const SessionQueue&) = delete;

 protected:
  SessionQueue() = default;
};

// Registers /api/v1/queue/{queue_id}/* and /api/v1/utilities/dynamicprompts. With templates (the
// server's node schemas; must outlive the router), enqueue checks graphs against them.
void add_queue_routes(Router& router, SessionQueue& queue, const NodeTemplates* templates = nullptr);

}  // namespace ivk::emu
