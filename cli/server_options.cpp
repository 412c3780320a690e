#include "server_options.h"

#include "common.h"
#include "ivk/api/models_api.h"

namespace ivk::cli {
namespace {

// The library names a URL given in the options "ClientOptions::url"; on this command line it is --server.
template <class T>
Result<T> with_flag_names(Result<T> result) {
  if (!result && result.error().source == "ClientOptions::url") result.error().source = "--server";
  return result;
}

}  // namespace

void add_server_options(CLI::App* sub, ServerOptions& opts, const std::string& token_flag) {
  opts.url_option =
      sub->add_option("--server", opts.url,
                      "InvokeAI server URL (default: $INVOKEAI_URL, else http://127.0.0.1:9090)")
          ->type_name("URL");
  opts.token_option = sub->add_option(token_flag, opts.token,
                                      "Bearer token for a multi-user server (default: $INVOKEAI_TOKEN; "
                                      "without one, $INVOKEAI_EMAIL and $INVOKEAI_PASSWORD log in)")
                          ->type_name("T");
  sub->add_flag("--insecure", opts.insecure,
                "Do not check the server's TLS certificate (an https server with a self-signed one)");
}

ClientOptions client_options(const ServerOptions& opts) {
  ClientOptions options = ClientOptions::from_environment();
  if (opts.url_given()) options.url = opts.url;
  if (opts.token_option != nullptr && opts.token_option->count() > 0) options.token = opts.token;
  options.verify_tls = !opts.insecure;
  return options;
}

Result<std::unique_ptr<ServerSession>> open_session(const ServerOptions& opts) {
  return with_flag_names(open_server_session(client_options(opts)));
}

Result<std::unique_ptr<Client>> open_client(const ServerOptions& opts) {
  return with_flag_names(Client::connect(client_options(opts)));
}

EventStreamOptions event_stream_options(const ServerOptions& opts, ServerSession& session) {
  EventStreamOptions out;
  out.token = [s = &session] { return s->token(); };
  out.verify_tls = !opts.insecure;
  return out;
}

bool models_source_conflict(const std::string& models_file, const ServerOptions& opts) {
  return !models_file.empty() && opts.url_given();
}

Result<ModelCatalog> load_catalog(const std::string& models_file, const ServerOptions& opts) {
  if (!models_file.empty()) return load_model_catalog(models_file);
  auto session = open_session(opts);
  if (!session) return tl::unexpected(session.error());
  ModelsApi api(**session);
  auto records = api.list();
  if (!records) return tl::unexpected(records.error());
  return ModelCatalog(std::move(*records));
}

}  // namespace ivk::cli
