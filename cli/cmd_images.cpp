// ivk images list|show|download|upload|delete|star|unstar: the server's images.
#include <chrono>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "commands.h"
#include "common.h"
#include "exit_codes.h"
#include "ivk/api/boards_api.h"
#include "ivk/api/images_api.h"
#include "ivk/client/image_download.h"
#include "ivk/files.h"
#include "ivk/json_text.h"
#include "server_options.h"
#include "table.h"

namespace ivk::cli {
namespace {

struct ImagesOptions {
  ServerOptions server;
  bool json = false;
  std::string board;
  std::int64_t limit = 20;
  std::int64_t offset = 0;
  std::vector<std::string> names;
  std::vector<std::string> files;
  std::string out = ".";
  int concurrency = 4;
  std::string zip;         // images download --zip FILE: one archive built by the server
  double timeout_s = 300;  // how long --zip waits for the archive
  bool yes = false;
  bool intermediate = false;
};

// A board option given as an id or a name ("none": uncategorized).
Result<std::string> board_id_of(ServerSession& session, const std::string& id_or_name) {
  if (id_or_name.empty() || id_or_name == "none") return std::string("none");
  BoardsApi boards(session);
  auto by_id = boards.get(id_or_name);
  if (by_id) return by_id->board_id;
  auto by_name = boards.find_by_name(id_or_name);
  if (!by_name) return tl::unexpected(by_name.error());
  if (!*by_name)
    return fail(ErrorCode::not_found, "no board has the id or the name '" + id_or_name + "'", "--board");
  return (*by_name)->board_id;
}

int run_list(const ImagesOptions& opts) {
  auto session = open_session(opts.server);
  if (!session) return report_error(session.error());
  ImagesApi images(**session);
  ImageQuery query;
  query.limit = opts.limit;
  query.offset = opts.offset;
  query.is_intermediate = opts.intermediate;
  if (!opts.board.empty()) {
    auto id = board_id_of(**session, opts.board);
    if (!id) return report_error(id.error());
    query.board_id = *id;
  }
  auto page = images.list(query);
  if (!page) return report_error(page.error());
  if (opts.json) {
    std::string out = "{\"total\":" + std::to_string(page->total) +
                      ",\"offset\":" + std::to_string(page->offset) + ",\"items\":[";
    for (std::size_t i = 0; i < page->items.size(); ++i) out += (i ? "," : "") + page->items[i].raw_json;
    print_line(out + "]}");
    return kExitOk;
  }
  Table table({"IMAGE", "SIZE", "BOARD", "STARRED", "CREATED"});
  for (const auto& dto : page->items)
    table.add_row({dto.image_name, std::to_string(dto.width) + "x" + std::to_string(dto.height),
                   dto.board_id.value_or("none"), dto.starred ? "yes" : "no", dto.created_at});
  table.print(std::cout);
  std::cerr << page->items.size() << " of " << page->total << " image(s) from offset " << page->offset
            << '\n';
  return kExitOk;
}

int run_show(const ImagesOptions& opts) {
  auto session = open_session(opts.server);
  if (!session) return report_error(session.error());
  ImagesApi images(**session);
  auto dto = images.get(opts.names.at(0));
  if (!dto) return report_error(dto.error());
  if (opts.json) {
    print_line(pretty_json(dto->raw_json));
    return kExitOk;
  }
  Table table({"FIELD", "VALUE"});
  table.add_row({"name", dto->image_name});
  table.add_row({"size", std::to_string(dto->width) + "x" + std::to_string(dto->height)});
  table.add_row({"origin", dto->image_origin});
  table.add_row({"category", dto->image_category});
  table.add_row({"board", dto->board_id.value_or("none")});
  table.add_row({"starred", dto->starred ? "yes" : "no"});
  table.add_row({"intermediate", dto->is_intermediate ? "yes" : "no"});
  table.add_row({"has workflow", dto->has_workflow ? "yes" : "no"});
  table.add_row({"session", dto->session_id.value_or("-")});
  table.add_row({"created", dto->created_at});
  table.print(std::cout, false);
  return kExitOk;
}

// The server zips the images (POST /download), ivk waits for the archive and writes it atomically.
int download_as_zip(ImagesApi& images, const std::vector<std::string>& names, const ImagesOptions& opts) {
  auto item = images.download_zip(names);
  if (!item) return report_error(item.error());
  const auto timeout = std::chrono::milliseconds(static_cast<std::int64_t>(opts.timeout_s * 1000));
  auto zip = images.wait_for_zip_file(*item, timeout);
  if (!zip) return report_error(zip.error());
  if (auto written = write_file_atomically(opts.zip, *zip); !written) return report_error(written.error());
  if (opts.json)
    print_line("{\"zip\":" + json_quote(opts.zip) + ",\"bytes\":" + std::to_string(zip->size()) +
               ",\"images\":" + std::to_string(names.size()) +
               ",\"bulk_download_item_name\":" + json_quote(*item) + "}");
  else
    std::cout << opts.zip << " (" << names.size() << " image(s), " << zip->size() << " bytes)\n";
  return kExitOk;
}

int run_download(const ImagesOptions& opts) {
  auto session = open_session(opts.server);
  if (!session) return report_error(session.error());
  ImagesApi images(**session);
  std::vector<std::string> names = opts.names;
  if (!opts.board.empty()) {
    auto id = board_id_of(**session, opts.board);
    if (!id) return report_error(id.error());
    BoardsApi boards(**session);
    auto on_board = boards.image_names(*id);
    if (!on_board) return report_error(on_board.error());
    names.insert(names.end(), on_board->begin(), on_board->end());
  }
  if (names.empty()) return usage_error("images download: give image names or --board");
  if (!opts.zip.empty()) return download_as_zip(images, names, opts);
  std::error_code ec;
  std::filesystem::create_directories(opts.out, ec);
  if (ec)
    return report_error(
        fail(ErrorCode::io, "cannot create the folder " + opts.out + ": " + ec.message()).value());
  int rc = kExitOk;
  for (const auto& d : download_images(images, names, opts.out, opts.concurrency)) {
    if (d.error) {
      std::cerr << "ivk: error: " << d.error->describe() << '\n';
      rc = exit_code_for(d.error->code);
      continue;
    }
    if (opts.json)
      print_line("{\"image_name\":" + json_quote(d.image_name) + ",\"path\":" + json_quote(d.path.string()) +
                 ",\"bytes\":" + std::to_string(d.bytes) + ",\"skipped\":" + (d.skipped ? "true" : "false") +
                 "}");
    else
      std::cout << d.path.string() << (d.skipped ? " (already there)" : "") << '\n';
  }
  return rc;
}

int run_upload(const ImagesOptions& opts) {
  auto session = open_session(opts.server);
  if (!session) return report_error(session.error());
  UploadOptions upload;
  if (!opts.board.empty()) {
    auto id = board_id_of(**session, opts.board);
    if (!id) return report_error(id.error());
    if (*id != "none") upload.board_id = *id;
  }
  ImagesApi images(**session);
  for (const auto& file : opts.files) {
    auto bytes = ivk::read_file(file);
    if (!bytes) return report_error(bytes.error());
    auto dto = images.upload(*bytes, std::filesystem::path(file).filename().string(), upload);
    if (!dto) return report_error(dto.error());
    if (opts.json)
      print_line(dto->raw_json);
    else
      std::cout << file << " -> " << dto->image_name << '\n';
  }
  return kExitOk;
}

int run_delete(const ImagesOptions& opts) {
  if (!opts.yes) return usage_error("images delete removes the images from the server: add --yes");
  auto session = open_session(opts.server);
  if (!session) return report_error(session.error());
  ImagesApi images(**session);
  auto deleted = images.remove_many(opts.names);
  if (!deleted) return report_error(deleted.error());
  if (opts.json)
    print_line("{\"deleted_images\":" + json_string_array(deleted->deleted_images) + "}");
  else
    std::cout << "deleted " << deleted->deleted_images.size() << " image(s)\n";
  return deleted->deleted_images.size() == opts.names.size() ? kExitOk : kExitFailure;
}

int run_star(const ImagesOptions& opts, bool star) {
  auto session = open_session(opts.server);
  if (!session) return report_error(session.error());
  ImagesApi images(**session);
  auto result = star ? images.star(opts.names) : images.unstar(opts.names);
  if (!result) return report_error(result.error());
  if (opts.json)
    print_line("{\"images\":" + json_string_array(result->images) + "}");
  else
    std::cout << (star ? "starred " : "unstarred ") << result->images.size() << " image(s)\n";
  return kExitOk;
}

CLI::App* member(CLI::App* group, const std::string& name, const std::string& help, ImagesOptions& opts) {
  auto* sub = group->add_subcommand(name, help);
  add_server_options(sub, opts.server);
  sub->add_flag("--json", opts.json, "JSON output");
  return sub;
}

}  // namespace

void add_images_command(CLI::App& app, Runner& run) {
  auto* group =
      app.add_subcommand("images", "The server's images: list, show, download, upload, delete, star");
  group->require_subcommand(1);

  auto list_opts = std::make_shared<ImagesOptions>();
  auto* list = member(group, "list", "Images, newest first", *list_opts);
  list->add_option("--board", list_opts->board, "Only this board (id or name; none: uncategorized)")
      ->type_name("BOARD");
  list->add_option("--limit", list_opts->limit, "Page size (default 20)")->type_name("N");
  list->add_option("--offset", list_opts->offset, "Skip N images")->type_name("N");
  list->add_flag("--intermediate", list_opts->intermediate, "List intermediate images instead");
  list->callback([&run, list_opts] { run = [list_opts] { return run_list(*list_opts); }; });

  auto show_opts = std::make_shared<ImagesOptions>();
  auto* show = member(group, "show", "One image's record", *show_opts);
  show->add_option("image", show_opts->names, "Image name")->required()->expected(1)->type_name("IMAGE");
  show->callback([&run, show_opts] { run = [show_opts] { return run_show(*show_opts); }; });

  auto download_opts = std::make_shared<ImagesOptions>();
  auto* download =
      member(group, "download", "Save images (full size) into a folder, skipping files already there",
             *download_opts);
  download->add_option("images", download_opts->names, "Image names")->type_name("IMAGE");
  download
      ->add_option("--board", download_opts->board,
                   "Every image of this board (id or name; none: uncategorized)")
      ->type_name("BOARD");
  download->add_option("-o,--out", download_opts->out, "Folder (default: .)")->type_name("DIR");
  download->add_option("--concurrency", download_opts->concurrency, "Parallel downloads (default 4)")
      ->check(CLI::Range(1, 64))
      ->type_name("N");
  download
      ->add_option("--zip", download_opts->zip,
                   "Instead: have the server zip the images and save that one archive as FILE")
      ->type_name("FILE");
  download
      ->add_option("--timeout", download_opts->timeout_s,
                   "How long --zip waits for the archive (default 300)")
      ->check(CLI::PositiveNumber)
      ->type_name("S");
  download->callback(
      [&run, download_opts] { run = [download_opts] { return run_download(*download_opts); }; });

  auto upload_opts = std::make_shared<ImagesOptions>();
  auto* upload = member(group, "upload", "Upload image files", *upload_opts);
  upload->add_option("files", upload_opts->files, "PNG, JPEG or WebP files")->required()->type_name("FILE");
  upload->add_option("--board", upload_opts->board, "Put them on this board (id or name)")
      ->type_name("BOARD");
  upload->callback([&run, upload_opts] { run = [upload_opts] { return run_upload(*upload_opts); }; });

  auto del_opts = std::make_shared<ImagesOptions>();
  auto* del = member(group, "delete", "Delete images", *del_opts);
  del->add_option("images", del_opts->names, "Image names")->required()->type_name("IMAGE");
  del->add_flag("--yes", del_opts->yes, "Really delete them");
  del->callback([&run, del_opts] { run = [del_opts] { return run_delete(*del_opts); }; });

  auto star_opts = std::make_shared<ImagesOptions>();
  auto* star = member(group, "star", "Star images", *star_opts);
  star->add_option("images", star_opts->names, "Image names")->required()->type_name("IMAGE");
  star->callback([&run, star_opts] { run = [star_opts] { return run_star(*star_opts, true); }; });
  auto unstar_opts = std::make_shared<ImagesOptions>();
  auto* unstar = member(group, "unstar", "Unstar images", *unstar_opts);
  unstar->add_option("images", unstar_opts->names, "Image names")->required()->type_name("IMAGE");
  unstar->callback([&run, unstar_opts] { run = [unstar_opts] { return run_star(*unstar_opts, false); }; });
}

}  // namespace ivk::cli
