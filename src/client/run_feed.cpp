// Feeding a durable run: chunks of plan items enqueued under a batch_id journaled before the request,
// at most `window` of this run's items on the server, and lost answers resolved by asking the server
// before anything is sent again.
#include <algorithm>
#include <map>
#include <thread>

#include "core/json_read.h"
#include "core/uuid.h"
#include "ivk/workflow/batch.h"
#include "run_engine.h"

namespace ivk {

namespace {

// The enqueue request may have reached the server: a lost answer, or a proxy's 502/503/504 that may
// have come after the server took it. Anything else the server answered means it did not enqueue.
bool answer_lost(const Error& e) {
  if (e.code == ErrorCode::transport || e.code == ErrorCode::timeout) return true;
  return e.code == ErrorCode::http && (e.http_status == 502 || e.http_status == 503 || e.http_status == 504);
}

// A journaled values array ("[1,\"a\"]") back into its compact JSON elements.
Result<std::vector<std::string>> split_values(simdjson::dom::parser& parser, const std::string& values_json) {
  auto array = parse_array(parser, values_json, "a journaled plan item");
  if (!array) return tl::unexpected(array.error());
  std::vector<std::string> out;
  for (simdjson::dom::element e : *array) out.push_back(simdjson::minify(e));
  return out;
}

std::string join_values(const std::vector<std::string>& values) {
  std::string out = "[";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i != 0) out += ',';
    out += values[i];
  }
  return out + "]";
}

// Every item id of a batch the server has, ascending (= the batch's expansion order). The queue is
// read newest first, a page at a time, until `expected` items of the batch were found: the lookup
// after a lost answer, so it is rare and its cost is bounded by how far back the batch is.
Result<std::vector<std::int64_t>> find_batch_items(QueueApi& queue, const std::string& batch_id,
                                                   std::int64_t expected) {
  auto ids = queue.item_ids("DESC");
  if (!ids) return tl::unexpected(ids.error());
  std::vector<std::int64_t> found;
  constexpr std::size_t kPage = 100;
  for (std::size_t i = 0; i < ids->size(); i += kPage) {
    const std::size_t n = std::min(kPage, ids->size() - i);
    auto items = queue.items_by_ids(std::span<const std::int64_t>(ids->data() + i, n));
    if (!items) return tl::unexpected(items.error());
    for (const auto& item : *items)
      if (item.batch_id == batch_id) found.push_back(item.item_id);
    if (static_cast<std::int64_t>(found.size()) >= expected) break;
  }
  std::sort(found.begin(), found.end());
  return found;
}

}  // namespace

Status Run::Impl::cancel_late_batch(const std::string& batch_id, std::int64_t total) {
  const std::vector<std::string> late{batch_id};
  if (auto canceled = client.queue().cancel_by_batch_ids(late); !canceled)
    return tl::unexpected(canceled.error());
  auto ids = find_batch_items(client.queue(), batch_id, total);
  if (!ids) return tl::unexpected(ids.error());
  auto absent = journal->batches_in_state("absent");
  if (!absent) return tl::unexpected(absent.error());
  const auto batch = std::find_if(absent->begin(), absent->end(),
                                  [&](const detail::JournalBatch& b) { return b.batch_id == batch_id; });
  if (batch == absent->end()) return {};
  // What ran before the cancel took effect ran twice: the status says which.
  auto items = client.queue().items_by_ids(*ids);
  if (!items) return tl::unexpected(items.error());
  std::map<std::int64_t, std::string> status;
  for (const auto& item : *items) status[item.item_id] = item.status;
  if (auto ok = journal->begin(); !ok) return ok;
  for (std::size_t pos = 0; pos < ids->size() && pos < batch->indices.size(); ++pos)
    if (auto ok = journal->record_duplicate((*ids)[pos], batch_id, batch->indices[pos], status[(*ids)[pos]]);
        !ok) {
      journal->rollback();
      return ok;
    }
  return journal->commit();
}

Status Run::Impl::resolve_sending_batch(const std::string& batch_id,
                                        const std::vector<std::uint64_t>& indices) {
  // The server commits a batch in one transaction, but a request still on its way (a slow proxy)
  // can commit after a first look: look a few times before concluding that it is not there.
  constexpr int kLooks = 3;
  constexpr auto kBetweenLooks = std::chrono::milliseconds(700);
  for (int look = 0; look < kLooks; ++look) {
    auto status = client.queue().batch_status(batch_id);
    if (!status) return tl::unexpected(status.error());
    if (status->counts.total > 0) {
      auto ids = find_batch_items(client.queue(), batch_id, status->counts.total);
      if (!ids) return tl::unexpected(ids.error());
      if (ids->size() > indices.size()) ids->resize(indices.size());
      if (auto ok = journal->accept_batch(batch_id, *ids); !ok) return ok;
      for (std::size_t pos = 0; pos < ids->size(); ++pos) track((*ids)[pos], indices[pos], batch_id);
      RunNotice n;
      n.kind = RunNotice::Kind::batch_adopted;
      n.batch_id = batch_id;
      n.count = ids->size();
      n.message = "the enqueue answer was lost; the server has the batch with " +
                  std::to_string(ids->size()) + " of its " + std::to_string(indices.size()) +
                  " items, adopted";
      notify(n);
      return {};
    }
    if (look + 1 < kLooks) {
      if (left() <= kBetweenLooks)
        return fail(ErrorCode::timeout, "the run's deadline came while looking up batch " + batch_id);
      std::this_thread::sleep_for(kBetweenLooks);
    }
  }
  if (auto ok = journal->mark_batch_absent(batch_id); !ok) return ok;
  absent_watch[batch_id] = Clock::now() + std::chrono::seconds(60);
  RunNotice n;
  n.kind = RunNotice::Kind::batch_absent;
  n.batch_id = batch_id;
  n.count = indices.size();
  n.message = "the enqueue answer was lost and the server does not have batch " + batch_id + "; its " +
              std::to_string(indices.size()) + " items go again";
  notify(n);
  return {};
}

Status Run::Impl::feed() {
  if (cancel_sent || !unresolved.empty()) return {};
  if (Clock::now() < feed_paused_until) return {};
  simdjson::dom::parser parser;
  while (open.size() < window) {
    const std::size_t n = std::min(chunk, window - open.size());
    std::vector<std::uint64_t> indices;
    std::vector<std::vector<std::string>> values;
    // Items to run again come first, then the plan goes on.
    auto again = journal->items_in_state("new", n);
    if (!again) return tl::unexpected(again.error());
    for (const auto& item : *again) {
      auto v = split_values(parser, item.values_json);
      if (!v) return tl::unexpected(v.error());
      indices.push_back(item.index);
      values.push_back(std::move(*v));
    }
    auto next = journal->next_index();
    if (!next) return tl::unexpected(next.error());
    std::vector<std::pair<std::uint64_t, std::string>> fresh;
    for (std::uint64_t i = *next; indices.size() < n && i < plan.size(); ++i) {
      auto item = plan.item(i);
      if (!item) return tl::unexpected(item.error());
      fresh.emplace_back(i, join_values(item->values_json));
      indices.push_back(i);
      values.push_back(std::move(item->values_json));
    }
    if (indices.empty()) return {};  // nothing left to send

    BatchOptions options;
    options.batch_id = detail::uuid4();
    options.prepend = spec.prepend;
    if (spec.board_id) options.graph.auto_board = *spec.board_id;
    const auto& fields = plan.fields();
    if (fields.empty()) {
      options.runs = static_cast<int>(indices.size());  // nothing varies: the same graph n times
    } else {
      SweepGroup group;
      for (std::size_t f = 0; f < fields.size(); ++f) {
        SweepDatum datum;
        datum.input = fields[f].node_path + "." + fields[f].field_name;
        for (const auto& v : values) datum.items.push_back(v[f]);
        group.data.push_back(std::move(datum));
      }
      options.sweeps.push_back(std::move(group));
    }
    auto body = build_enqueue_body(workflow, options);
    if (!body) return tl::unexpected(body.error());

    // Journal first: after a crash from here on, the resume looks the batch up before sending again.
    if (auto ok = journal->begin(); !ok) return ok;
    if (auto ok = journal->add_items(fresh); !ok) {
      journal->rollback();
      return ok;
    }
    if (auto ok = journal->add_batch(options.batch_id, indices); !ok) {
      journal->rollback();
      return ok;
    }
    if (auto ok = journal->commit(); !ok) return ok;

    auto answer = client.queue().enqueue_batch(*body);
    if (!answer) {
      if (answer_lost(answer.error())) {
        unresolved.emplace_back(options.batch_id, indices);
        return tl::unexpected(answer.error());  // the loop backs off, then resolves it
      }
      // The server refused it (422 validation, 500): nothing was enqueued.
      (void)journal->mark_batch_absent(options.batch_id);
      return tl::unexpected(answer.error());
    }
    if (answer->requested != static_cast<std::int64_t>(indices.size())) {
      // The workflow's own batch nodes multiply every item: one plan item would be several server
      // items, which this engine cannot keep apart. Take the batch back before it runs.
      const std::vector<std::string> ids{options.batch_id};
      (void)client.queue().cancel_by_batch_ids(ids);
      (void)journal->mark_batch_absent(options.batch_id);
      return fail(ErrorCode::unsupported,
                  "the server expanded " + std::to_string(indices.size()) + " plan items into " +
                      std::to_string(answer->requested) +
                      " sessions (the workflow has batch or generator nodes of its own); sweep those inputs "
                      "with --sweep or --inputs instead");
    }
    std::vector<std::int64_t> ids = answer->item_ids;
    if (static_cast<std::int64_t>(ids.size()) != answer->enqueued) {
      // An answer that does not list its items (an old server): ask the server which they are.
      unresolved.emplace_back(options.batch_id, indices);
      return {};
    }
    std::sort(ids.begin(), ids.end());
    if (auto ok = journal->accept_batch(options.batch_id, ids); !ok) return ok;
    for (std::size_t pos = 0; pos < ids.size(); ++pos) track(ids[pos], indices[pos], options.batch_id);
    RunNotice sent;
    sent.kind = RunNotice::Kind::enqueued;
    sent.batch_id = options.batch_id;
    sent.count = ids.size();
    notify(sent);
    if (ids.size() < indices.size()) {
      // The queue is full (max_queue_size counts every user's items): wait for room.
      RunNotice full;
      full.kind = RunNotice::Kind::short_enqueue;
      full.batch_id = options.batch_id;
      full.count = indices.size() - ids.size();
      full.message = "the server's queue is full: it took " + std::to_string(ids.size()) + " of " +
                     std::to_string(indices.size()) + " items; the rest go when there is room";
      notify(full);
      feed_paused_until = Clock::now() + std::chrono::seconds(1);
      return {};
    }
  }
  return {};
}

}  // namespace ivk
