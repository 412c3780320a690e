#include "images/image_persistence.h"

#include <algorithm>

#include "storage/sql_json.h"

namespace ivk::emu {

Result<LoadedImages> load_images(StateDb& db) {
  LoadedImages out;
  auto images = db.query(
      "SELECT image_name, sequence, width, height, image_origin, image_category, is_intermediate, board_id, "
      "session_id, node_id, metadata, workflow, graph, user_id, created_at, updated_at, starred FROM images "
      "ORDER BY sequence",
      {}, [&out](const SqlRow& row) {
        ImageRecord r;
        r.image_name = row.text(0);
        r.sequence = static_cast<std::uint64_t>(row.integer(1));
        r.width = static_cast<int>(row.integer(2));
        r.height = static_cast<int>(row.integer(3));
        r.image_origin = row.text(4);
        r.image_category = row.text(5);
        r.is_intermediate = row.integer(6) != 0;
        r.board_id = column_optional(row, 7);
        r.session_id = column_optional(row, 8);
        r.node_id = column_optional(row, 9);
        r.metadata_json = column_optional(row, 10);
        r.workflow_json = column_optional(row, 11);
        r.graph_json = column_optional(row, 12);
        r.user_id = row.text(13);
        r.created_at = row.text(14);
        r.updated_at = row.text(15);
        r.starred = row.integer(16) != 0;
        out.next_sequence = std::max(out.next_sequence, r.sequence + 1);
        out.images.push_back(std::move(r));
      });
  if (!images) return tl::unexpected(images.error());
  auto boards = db.query(
      "SELECT board_id, sequence, board_name, user_id, created_at, updated_at, cover_image_name, archived, "
      "is_private FROM boards ORDER BY sequence",
      {}, [&out](const SqlRow& row) {
        BoardRecord b;
        b.board_id = row.text(0);
        b.sequence = static_cast<std::uint64_t>(row.integer(1));
        b.board_name = row.text(2);
        b.user_id = row.text(3);
        b.created_at = row.text(4);
        b.updated_at = row.text(5);
        b.cover_image_name = column_optional(row, 6);
        b.archived = row.integer(7) != 0;
        b.is_private = row.integer(8) != 0;
        out.next_sequence = std::max(out.next_sequence, b.sequence + 1);
        out.boards.push_back(std::move(b));
      });
  if (!boards) return tl::unexpected(boards.error());
  return out;
}

Status save_image_record(StateDb& db, const ImageRecord& r) {
  return db.run(
      "INSERT OR REPLACE INTO images (image_name, sequence, width, height, image_origin, image_category, "
      "is_intermediate, board_id, session_id, node_id, metadata, workflow, graph, user_id, created_at, "
      "updated_at, starred) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, "
      "?17)",
      {r.image_name, static_cast<std::int64_t>(r.sequence), std::int64_t{r.width}, std::int64_t{r.height},
       r.image_origin, r.image_category, std::int64_t{r.is_intermediate ? 1 : 0}, sql_optional(r.board_id),
       sql_optional(r.session_id), sql_optional(r.node_id), sql_optional(r.metadata_json),
       sql_optional(r.workflow_json), sql_optional(r.graph_json), r.user_id, r.created_at, r.updated_at,
       std::int64_t{r.starred ? 1 : 0}});
}

Status delete_image_record(StateDb& db, const std::string& image_name) {
  return db.run("DELETE FROM images WHERE image_name = ?1", {image_name});
}

Status save_board_record(StateDb& db, const BoardRecord& b) {
  return db.run(
      "INSERT OR REPLACE INTO boards (board_id, sequence, board_name, user_id, created_at, updated_at, "
      "cover_image_name, archived, is_private) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
      {b.board_id, static_cast<std::int64_t>(b.sequence), b.board_name, b.user_id, b.created_at, b.updated_at,
       sql_optional(b.cover_image_name), std::int64_t{b.archived ? 1 : 0},
       std::int64_t{b.is_private ? 1 : 0}});
}

Status delete_board_record(StateDb& db, const std::string& board_id) {
  return db.run("DELETE FROM boards WHERE board_id = ?1", {board_id});
}

}  // namespace ivk::emu
