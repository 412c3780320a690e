// ivk boards list|create|rename|delete|images|add|remove: the server's boards.
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "commands.h"
#include "common.h"
#include "exit_codes.h"
#include "ivk/api/boards_api.h"
#include "ivk/json_text.h"
#include "server_options.h"
#include "table.h"

namespace ivk::cli {
namespace {

struct BoardsOptions {
  ServerOptions server;
  bool json = false;
  bool archived = false;
  std::string board;  // id or name
  std::string name;
  std::vector<std::string> images;
  bool with_images = false;
  bool yes = false;
};

// A board given by id, else by exact name.
Result<Board> resolve_board(BoardsApi& boards, const std::string& id_or_name) {
  auto by_id = boards.get(id_or_name);
  if (by_id) return by_id;
  if (by_id.error().code != ErrorCode::not_found) return by_id;
  auto by_name = boards.find_by_name(id_or_name);
  if (!by_name) return tl::unexpected(by_name.error());
  if (!*by_name)
    return fail(ErrorCode::not_found, "no board has the id or the name '" + id_or_name + "'", "--board");
  return **by_name;
}

int run_list(const BoardsOptions& opts) {
  auto session = open_session(opts.server);
  if (!session) return report_error(session.error());
  BoardsApi boards(**session);
  auto all = boards.list_all(opts.archived);
  if (!all) return report_error(all.error());
  if (opts.json) {
    std::string out = "[";
    for (std::size_t i = 0; i < all->size(); ++i) out += (i ? "," : "") + (*all)[i].raw_json;
    print_line(out + "]");
    return kExitOk;
  }
  Table table({"BOARD ID", "NAME", "IMAGES", "ARCHIVED", "UPDATED"});
  table.align_right(2);
  for (const auto& b : *all)
    table.add_row({b.board_id, truncate_for_display(b.board_name, 40), std::to_string(b.image_count),
                   b.archived ? "yes" : "no", b.updated_at});
  table.print(std::cout);
  return kExitOk;
}

int print_board(const Board& board, bool json, const std::string& verb) {
  if (json)
    print_line(board.raw_json);
  else
    std::cout << verb << " board " << board.board_id << " (" << board.board_name << ")\n";
  return kExitOk;
}

int run_create(const BoardsOptions& opts) {
  auto session = open_session(opts.server);
  if (!session) return report_error(session.error());
  BoardsApi boards(**session);
  auto board = boards.create(opts.name);
  if (!board) return report_error(board.error());
  return print_board(*board, opts.json, "created");
}

int run_rename(const BoardsOptions& opts) {
  auto session = open_session(opts.server);
  if (!session) return report_error(session.error());
  BoardsApi boards(**session);
  auto board = resolve_board(boards, opts.board);
  if (!board) return report_error(board.error());
  auto renamed = boards.update(board->board_id, opts.name);
  if (!renamed) return report_error(renamed.error());
  return print_board(*renamed, opts.json, "renamed");
}

int run_delete(const BoardsOptions& opts) {
  if (opts.with_images && !opts.yes)
    return usage_error("boards delete --with-images deletes the images too: add --yes");
  auto session = open_session(opts.server);
  if (!session) return report_error(session.error());
  BoardsApi boards(**session);
  auto board = resolve_board(boards, opts.board);
  if (!board) return report_error(board.error());
  auto deleted = boards.remove(board->board_id, opts.with_images);
  if (!deleted) return report_error(deleted.error());
  if (opts.json)
    print_line("{\"board_id\":" + json_quote(deleted->board_id) +
               ",\"deleted_images\":" + json_string_array(deleted->deleted_images) + "}");
  else
    std::cout << "deleted board " << board->board_id << " (" << board->board_name << ")"
              << (opts.with_images ? " and " + std::to_string(deleted->deleted_images.size()) + " image(s)"
                                   : "")
              << '\n';
  return kExitOk;
}

int run_images(const BoardsOptions& opts) {
  auto session = open_session(opts.server);
  if (!session) return report_error(session.error());
  BoardsApi boards(**session);
  std::string id = "none";
  if (opts.board != "none") {
    auto board = resolve_board(boards, opts.board);
    if (!board) return report_error(board.error());
    id = board->board_id;
  }
  auto names = boards.image_names(id);
  if (!names) return report_error(names.error());
  if (opts.json)
    print_line(json_string_array(*names));
  else
    for (const auto& n : *names) print_line(n);
  return kExitOk;
}

int run_move(const BoardsOptions& opts, bool add) {
  auto session = open_session(opts.server);
  if (!session) return report_error(session.error());
  BoardsApi boards(**session);
  Result<BoardImagesResult> moved = fail(ErrorCode::internal, "not run");
  if (add) {
    auto board = resolve_board(boards, opts.board);
    if (!board) return report_error(board.error());
    moved = boards.add_images(board->board_id, opts.images);
  } else {
    moved = boards.remove_images(opts.images);
  }
  if (!moved) return report_error(moved.error());
  if (opts.json)
    print_line("{\"images\":" + json_string_array(moved->images) +
               ",\"affected_boards\":" + json_string_array(moved->affected_boards) + "}");
  else
    std::cout << (add ? "added " : "removed ") << moved->images.size() << " image(s)\n";
  return kExitOk;
}

CLI::App* member(CLI::App* group, const std::string& name, const std::string& help, BoardsOptions& opts) {
  auto* sub = group->add_subcommand(name, help);
  add_server_options(sub, opts.server);
  sub->add_flag("--json", opts.json, "JSON output");
  return sub;
}

}  // namespace

void add_boards_command(CLI::App& app, Runner& run) {
  auto* group =
      app.add_subcommand("boards", "The server's boards: list, create, rename, delete, their images");
  group->require_subcommand(1);

  auto list_opts = std::make_shared<BoardsOptions>();
  auto* list = member(group, "list", "Every board", *list_opts);
  list->add_flag("--archived", list_opts->archived, "Include archived boards");
  list->callback([&run, list_opts] { run = [list_opts] { return run_list(*list_opts); }; });

  auto create_opts = std::make_shared<BoardsOptions>();
  auto* create = member(group, "create", "Create a board", *create_opts);
  create->add_option("name", create_opts->name, "Board name")->required()->type_name("NAME");
  create->callback([&run, create_opts] { run = [create_opts] { return run_create(*create_opts); }; });

  auto rename_opts = std::make_shared<BoardsOptions>();
  auto* rename = member(group, "rename", "Rename a board", *rename_opts);
  rename->add_option("board", rename_opts->board, "Board id or name")->required()->type_name("BOARD");
  rename->add_option("name", rename_opts->name, "New name")->required()->type_name("NAME");
  rename->callback([&run, rename_opts] { run = [rename_opts] { return run_rename(*rename_opts); }; });

  auto del_opts = std::make_shared<BoardsOptions>();
  auto* del = member(group, "delete", "Delete a board (its images become uncategorized)", *del_opts);
  del->add_option("board", del_opts->board, "Board id or name")->required()->type_name("BOARD");
  del->add_flag("--with-images", del_opts->with_images, "Delete the board's images too");
  del->add_flag("--yes", del_opts->yes, "Confirm --with-images");
  del->callback([&run, del_opts] { run = [del_opts] { return run_delete(*del_opts); }; });

  auto images_opts = std::make_shared<BoardsOptions>();
  auto* images =
      member(group, "images", "Names of the images on a board (none: uncategorized)", *images_opts);
  images->add_option("board", images_opts->board, "Board id or name, or none")
      ->required()
      ->type_name("BOARD");
  images->callback([&run, images_opts] { run = [images_opts] { return run_images(*images_opts); }; });

  auto add_opts = std::make_shared<BoardsOptions>();
  auto* add = member(group, "add", "Put images on a board", *add_opts);
  add->add_option("board", add_opts->board, "Board id or name")->required()->type_name("BOARD");
  add->add_option("images", add_opts->images, "Image names")->required()->type_name("IMAGE");
  add->callback([&run, add_opts] { run = [add_opts] { return run_move(*add_opts, true); }; });

  auto remove_opts = std::make_shared<BoardsOptions>();
  auto* remove = member(group, "remove", "Take images off their boards (uncategorized)", *remove_opts);
  remove->add_option("images", remove_opts->images, "Image names")->required()->type_name("IMAGE");
  remove->callback([&run, remove_opts] { run = [remove_opts] { return run_move(*remove_opts, false); }; });
}

}  // namespace ivk::cli
