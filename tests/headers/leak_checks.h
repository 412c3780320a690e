// Included after one public header (tests/headers/CMakeLists.txt): fails the build when that header
// pulled in a third-party library. Each library is recognised by a version macro its headers define.
#if defined(SIMDJSON_VERSION)
#error "a public header pulls in simdjson"
#endif
#if defined(BOOST_VERSION)
#error "a public header pulls in Boost"
#endif
#if defined(LIBCURL_VERSION)
#error "a public header pulls in curl"
#endif
#if defined(NLOHMANN_JSON_VERSION_MAJOR)
#error "a public header pulls in nlohmann/json"
#endif
#if defined(CLI11_VERSION)
#error "a public header pulls in CLI11"
#endif
#if defined(SQLITE_VERSION)
#error "a public header pulls in SQLite"
#endif
#if defined(SPNG_VERSION_MAJOR)
#error "a public header pulls in spng"
#endif
#if defined(OPENSSL_VERSION_NUMBER)
#error "a public header pulls in OpenSSL"
#endif
