// ivk queue status|list|watch|cancel|clear|prune: the server's session queue.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "commands.h"
#include "common.h"
#include "exit_codes.h"
#include "ivk/api/queue_api.h"
#include "ivk/events/event_stream.h"
#include "ivk/json_text.h"
#include "server_options.h"
#include "table.h"

namespace ivk::cli {
namespace {

struct QueueOptions {
  ServerOptions server;
  std::string queue_id = "default";
  bool json = false;
  // list
  std::string status_filter;
  std::string batch_filter;
  std::size_t limit = 50;
  // watch
  double watch_seconds = 0;
  // cancel
  std::vector<std::int64_t> item_ids;
  std::vector<std::string> batch_ids;
  bool all = false;
  bool yes = false;
};

std::string counts_json(const QueueCounts& c) {
  return "{\"pending\":" + std::to_string(c.pending) + ",\"in_progress\":" + std::to_string(c.in_progress) +
         ",\"completed\":" + std::to_string(c.completed) + ",\"failed\":" + std::to_string(c.failed) +
         ",\"canceled\":" + std::to_string(c.canceled) + ",\"total\":" + std::to_string(c.total) + "}";
}

int run_status(const QueueOptions& opts) {
  auto session = open_session(opts.server);
  if (!session) return report_error(session.error());
  QueueApi queue(**session, opts.queue_id);
  auto status = queue.status();
  if (!status) return report_error(status.error());
  const auto& c = status->counts;
  if (opts.json) {
    std::string line = "{\"queue_id\":" + json_quote(status->queue_id) + ",\"counts\":" + counts_json(c) +
                       ",\"current_item\":" + (status->item_id ? std::to_string(*status->item_id) : "null") +
                       ",\"processor_started\":" + (status->processor_started ? "true" : "false") +
                       ",\"processor_processing\":" + (status->processor_processing ? "true" : "false") + "}";
    print_line(line);
    return kExitOk;
  }
  Table table({"FIELD", "VALUE"});
  table.add_row({"queue", status->queue_id});
  table.add_row({"pending", std::to_string(c.pending)});
  table.add_row({"in progress", std::to_string(c.in_progress)});
  table.add_row({"completed", std::to_string(c.completed)});
  table.add_row({"failed", std::to_string(c.failed)});
  table.add_row({"canceled", std::to_string(c.canceled)});
  table.add_row({"total", std::to_string(c.total)});
  table.add_row({"current item", status->item_id ? std::to_string(*status->item_id) : "-"});
  table.add_row({"processor", std::string(status->processor_started ? "started" : "stopped") +
                                  (status->processor_processing ? ", processing" : ", idle")});
  table.print(std::cout, false);
  return kExitOk;
}

int run_list(const QueueOptions& opts) {
  auto session = open_session(opts.server);
  if (!session) return report_error(session.error());
  QueueApi queue(**session, opts.queue_id);
  auto items = queue.list_all();
  if (!items) return report_error(items.error());
  std::vector<const QueueItem*> shown;
  for (const auto& item : *items) {
    if (!opts.status_filter.empty() && item.status != opts.status_filter) continue;
    if (!opts.batch_filter.empty() && item.batch_id != opts.batch_filter) continue;
    shown.push_back(&item);
  }
  // Newest last, the last `limit` of them.
  if (shown.size() > opts.limit)
    shown.erase(shown.begin(), shown.end() - static_cast<std::ptrdiff_t>(opts.limit));
  if (opts.json) {
    std::string out = "[";
    for (std::size_t i = 0; i < shown.size(); ++i) out += (i ? "," : "") + shown[i]->raw_json;
    print_line(out + "]");
    return kExitOk;
  }
  Table table({"ITEM", "STATUS", "BATCH", "CREATED", "ERROR"});
  table.align_right(0);
  for (const auto* item : shown)
    table.add_row(
        {std::to_string(item->item_id), item->status, item->batch_id, item->created_at,
         truncate_for_display(
             item->error_type.value_or("") + (item->error_message ? ": " + *item->error_message : ""), 60)});
  table.print(std::cout);
  return kExitOk;
}

std::atomic<bool> g_stop_watch{false};
extern "C" void on_watch_signal(int /*signal*/) { g_stop_watch.store(true); }

int run_watch(const QueueOptions& opts) {
  auto session = open_session(opts.server);
  if (!session) return report_error(session.error());
  EventStreamOptions stream_options = event_stream_options(opts.server, **session);
  stream_options.queue_ids = {opts.queue_id};
  auto stream = EventStream::connect((*session)->url(), std::move(stream_options));
  if (!stream) return report_error(stream.error());
  std::mutex mutex;
  std::condition_variable cv;
  std::vector<std::string> lines;
  (*stream)->subscribe([&](const ServerEvent& e) {
    std::string line = opts.json ? "{\"event\":" + json_quote(e.name) + ",\"payload\":" + e.payload_json + "}"
                                 : e.name + " " + e.payload_json;
    std::lock_guard lock(mutex);
    lines.push_back(std::move(line));
    cv.notify_one();
  });
  g_stop_watch = false;
  std::signal(SIGINT, on_watch_signal);
  std::signal(SIGTERM, on_watch_signal);
  const auto end = opts.watch_seconds > 0
                       ? std::chrono::steady_clock::now() +
                             std::chrono::milliseconds(static_cast<std::int64_t>(opts.watch_seconds * 1000))
                       : std::chrono::steady_clock::time_point::max();
  while (!g_stop_watch && std::chrono::steady_clock::now() < end) {
    std::vector<std::string> batch;
    {
      std::unique_lock lock(mutex);
      cv.wait_for(lock, std::chrono::milliseconds(100), [&] { return !lines.empty(); });
      batch.swap(lines);
    }
    for (const auto& line : batch) print_line(line);
    std::cout.flush();
  }
  (*stream)->close();
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
  return kExitOk;
}

int run_cancel(const QueueOptions& opts) {
  const int chosen = (opts.item_ids.empty() ? 0 : 1) + (opts.batch_ids.empty() ? 0 : 1) + (opts.all ? 1 : 0);
  if (chosen != 1) return usage_error("queue cancel: give item ids, or --batch ID..., or --all");
  auto session = open_session(opts.server);
  if (!session) return report_error(session.error());
  QueueApi queue(**session, opts.queue_id);
  std::int64_t canceled = 0;
  if (!opts.item_ids.empty()) {
    for (auto id : opts.item_ids) {
      auto item = queue.cancel_item(id);
      if (!item) return report_error(item.error());
      ++canceled;
    }
  } else if (!opts.batch_ids.empty()) {
    auto n = queue.cancel_by_batch_ids(opts.batch_ids);
    if (!n) return report_error(n.error());
    canceled = *n;
  } else {
    auto n = queue.cancel_all_except_current();
    if (!n) return report_error(n.error());
    canceled = *n;
  }
  if (opts.json)
    print_line("{\"canceled\":" + std::to_string(canceled) + "}");
  else
    std::cout << "canceled " << canceled << " item(s)\n";
  return kExitOk;
}

int run_clear_or_prune(const QueueOptions& opts, bool clear) {
  if (clear && !opts.yes)
    return usage_error("queue clear deletes every item (the running one is canceled): add --yes");
  auto session = open_session(opts.server);
  if (!session) return report_error(session.error());
  QueueApi queue(**session, opts.queue_id);
  auto n = clear ? queue.clear() : queue.prune();
  if (!n) return report_error(n.error());
  if (opts.json)
    print_line("{\"deleted\":" + std::to_string(*n) + "}");
  else
    std::cout << "deleted " << *n << " item(s)\n";
  return kExitOk;
}

CLI::App* member(CLI::App* group, const std::string& name, const std::string& help, QueueOptions& opts) {
  auto* sub = group->add_subcommand(name, help);
  add_server_options(sub, opts.server);
  sub->add_option("--queue", opts.queue_id, "Queue id (default: default)")->type_name("ID");
  sub->add_flag("--json", opts.json, "JSON output");
  return sub;
}

}  // namespace

void add_queue_command(CLI::App& app, Runner& run) {
  auto* group = app.add_subcommand("queue", "The server's session queue: status, items, live events, cancel");
  group->require_subcommand(1);

  auto status_opts = std::make_shared<QueueOptions>();
  auto* status = member(group, "status", "Item counts and whether the processor runs", *status_opts);
  status->callback([&run, status_opts] { run = [status_opts] { return run_status(*status_opts); }; });

  auto list_opts = std::make_shared<QueueOptions>();
  auto* list = member(group, "list", "Queue items, oldest first (the last --limit of them)", *list_opts);
  list->add_option("--status", list_opts->status_filter, "Only items with this status")
      ->check(CLI::IsMember({"pending", "in_progress", "completed", "failed", "canceled"}))
      ->type_name("S");
  list->add_option("--batch", list_opts->batch_filter, "Only items of this batch")->type_name("ID");
  list->add_option("--limit", list_opts->limit, "At most N items (default 50)")->type_name("N");
  list->callback([&run, list_opts] { run = [list_opts] { return run_list(*list_opts); }; });

  auto watch_opts = std::make_shared<QueueOptions>();
  auto* watch =
      member(group, "watch", "Print the queue's Socket.IO events as they arrive (Ctrl-C stops)", *watch_opts);
  watch->add_option("--for", watch_opts->watch_seconds, "Stop after S seconds")->type_name("S");
  watch->callback([&run, watch_opts] { run = [watch_opts] { return run_watch(*watch_opts); }; });

  auto cancel_opts = std::make_shared<QueueOptions>();
  auto* cancel = member(
      group, "cancel", "Cancel items by id, whole batches, or everything but the running item", *cancel_opts);
  cancel->add_option("items", cancel_opts->item_ids, "Item ids")->type_name("ITEM");
  cancel->add_option("--batch", cancel_opts->batch_ids, "Cancel every unfinished item of these batches")
      ->type_name("ID");
  cancel->add_flag("--all", cancel_opts->all, "Cancel every item except the one running");
  cancel->callback([&run, cancel_opts] { run = [cancel_opts] { return run_cancel(*cancel_opts); }; });

  auto clear_opts = std::make_shared<QueueOptions>();
  auto* clear = member(group, "clear", "Delete every item (cancels the running one)", *clear_opts);
  clear->add_flag("--yes", clear_opts->yes, "Really delete them");
  clear->callback(
      [&run, clear_opts] { run = [clear_opts] { return run_clear_or_prune(*clear_opts, true); }; });

  auto prune_opts = std::make_shared<QueueOptions>();
  auto* prune = member(group, "prune", "Delete finished items (completed, failed, canceled)", *prune_opts);
  prune->callback(
      [&run, prune_opts] { run = [prune_opts] { return run_clear_or_prune(*prune_opts, false); }; });
}

}  // namespace ivk::cli
