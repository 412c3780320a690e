// EventStream against an https python-socketio server (socketio_peer.py --tls): wss:// and polling over
// TLS, and the certificate checks of verify_tls. The certificate is made here with OpenSSL, so the
// tests need no openssl command and no files in the repository; SSL_CERT_FILE makes it trusted where a
// test wants a trusted chain (OpenSSL reads it through set_default_verify_paths).
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "ivk/events/event_stream.h"
#include "support/socketio_peer.h"

namespace {

using namespace std::chrono_literals;
using ivk::ErrorCode;
using ivk::EventStream;
using ivk::EventStreamOptions;
using ivk::EventTransport;
using ivk::test::python_socketio_available;
using ivk::test::Recorder;
using ivk::test::SocketIoPeer;
using ivk::test::wait_for;

// Writes a self-signed P-256 certificate for `subject_alt_names` ("DNS:localhost,IP:127.0.0.1") and
// its key as PEM files in dir. Returns false when OpenSSL refuses any step.
bool write_self_signed(const std::filesystem::path& dir, const std::string& subject_alt_names) {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_EC_gen("P-256"), EVP_PKEY_free);
  std::unique_ptr<X509, decltype(&X509_free)> cert(X509_new(), X509_free);
  if (!key || !cert) return false;
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24 * 3600);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("ivk test"), -1,
                             -1, 0);
  X509_set_issuer_name(cert.get(), name);
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
  for (const auto& [nid, value] : {std::pair{NID_subject_alt_name, subject_alt_names},
                                   std::pair{NID_basic_constraints, std::string("critical,CA:TRUE")}}) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
    if (ext == nullptr) return false;
    X509_add_ext(cert.get(), ext, -1);
    X509_EXTENSION_free(ext);
  }
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) return false;
  auto write = [](const std::filesystem::path& path, auto&& writer) {
    FILE* f = std::fopen(path.c_str(), "w");
    if (f == nullptr) return false;
    const bool ok = writer(f) == 1;
    return std::fclose(f) == 0 && ok;
  };
  return write(dir / "cert.pem", [&](FILE* f) { return PEM_write_X509(f, cert.get()); }) &&
         write(dir / "key.pem", [&](FILE* f) {
           return PEM_write_PrivateKey(f, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
         });
}

class EventStreamTlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!python_socketio_available()) GTEST_SKIP() << "/usr/bin/python3 lacks socketio or aiohttp";
    dir_ = std::filesystem::temp_directory_path() /
           ("ivk-tls-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    // Only "localhost" is in the certificate: a connection by IP address fails the host name check.
    ASSERT_TRUE(write_self_signed(dir_, "DNS:localhost"));
    ASSERT_TRUE(peer_.start((dir_ / "cert.pem").string(), (dir_ / "key.pem").string()))
        << "socketio_peer.py --tls did not start";
  }
  void TearDown() override {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  [[nodiscard]] ivk::ServerUrl https_url(const std::string& host) const {
    return *ivk::ServerUrl::parse("https://" + host + ":" + std::to_string(peer_.tls_port()));
  }

  static EventStreamOptions options(EventTransport transport, bool verify) {
    EventStreamOptions o;
    o.transport = transport;
    o.verify_tls = verify;
    o.connect_timeout = 10s;
    o.token = [] { return std::optional<std::string>("tls-token"); };
    return o;
  }

  // Connects, checks the transport, and sees one event through with its exact payload.
  void expect_events_flow(const ivk::ServerUrl& url, EventStreamOptions o, EventTransport expected) {
    auto stream = EventStream::connect(url, std::move(o));
    ASSERT_TRUE(stream.has_value()) << stream.error().describe();
    Recorder rec;
    (*stream)->subscribe([&](const ivk::ServerEvent& e) { rec.on_event(e); });
    EXPECT_EQ((*stream)->active_transport(), expected);
    ASSERT_TRUE(wait_for([&] { return peer_.subscribe_count() == 1; }));
    peer_.emit("queue_item_status_changed", R"({"queue_id":"default","item_id":42,"status":"completed"})");
    ASSERT_TRUE(wait_for([&] { return rec.count("queue_item_status_changed") == 1; }));
    const auto events = rec.snapshot();
    EXPECT_EQ(events[0].payload_json, R"({"queue_id":"default","item_id":42,"status":"completed"})");
    EXPECT_EQ(peer_.state()["authorization"][0], "Bearer tls-token");
  }

  std::filesystem::path dir_;
  SocketIoPeer peer_;
};

TEST_F(EventStreamTlsTest, AutomaticUsesWssOnAnHttpsServer) {
  expect_events_flow(https_url("127.0.0.1"), options(EventTransport::automatic, false),
                     EventTransport::websocket);
}

TEST_F(EventStreamTlsTest, PollingOverHttps) {
  expect_events_flow(https_url("127.0.0.1"), options(EventTransport::polling, false),
                     EventTransport::polling);
}

TEST_F(EventStreamTlsTest, AnUntrustedCertificateIsRefusedByDefault) {
  auto stream = EventStream::connect(https_url("localhost"), options(EventTransport::websocket, true));
  ASSERT_FALSE(stream.has_value());
  EXPECT_EQ(stream.error().code, ErrorCode::transport);
  EXPECT_NE(stream.error().message.find("certificate verify failed"), std::string::npos)
      << stream.error().message;
  EXPECT_NE(stream.error().message.find("not trusted for this host name"), std::string::npos)
      << stream.error().message;
  EXPECT_EQ(stream.error().where, "wss://localhost:" + std::to_string(peer_.tls_port()) +
                                      "/ws/socket.io/?EIO=4&transport=websocket");
  EXPECT_EQ(peer_.state()["connects"], 0);
}

// With the certificate trusted, the host name decides: "localhost" is in it, "127.0.0.1" is not.
TEST_F(EventStreamTlsTest, ATrustedCertificateMustNameTheHost) {
  ASSERT_EQ(::setenv("SSL_CERT_FILE", (dir_ / "cert.pem").c_str(), 1), 0);
  expect_events_flow(https_url("localhost"), options(EventTransport::websocket, true),
                     EventTransport::websocket);

  auto by_ip = EventStream::connect(https_url("127.0.0.1"), options(EventTransport::websocket, true));
  ASSERT_FALSE(by_ip.has_value());
  EXPECT_EQ(by_ip.error().code, ErrorCode::transport);
  EXPECT_NE(by_ip.error().message.find("certificate verify failed"), std::string::npos)
      << by_ip.error().message;
}

}  // namespace
