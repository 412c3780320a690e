// Compares JSON libraries on real InvokeAI workflow exports; the numbers back
// docs/adr/0001-json-libraries.md.
//
//   json_libraries_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
//
// Every benchmark reads one fixture from IVK_SHARED_DIR/fixtures/workflows (loaded once,
// outside the timed loop) and reports bytes/s over the input size. The "Index" benchmarks
// are the shape of ivk's loader: simdjson ondemand walks nodes/edges and records byte spans
// of ids, types and every input's "value" in the original text, without building a DOM.
// The custom context printed in the header records how Boost.JSON and RapidJSON serialize
// a few doubles (the ADR quotes it).

#include <benchmark/benchmark.h>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <simdjson.h>
#include <boost/json.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#ifndef IVK_SHARED_DIR
#error "IVK_SHARED_DIR must point at the shared/ directory (bench/CMakeLists.txt defines it)"
#endif

namespace {

namespace od = simdjson::ondemand;

constexpr const char* kSdxl = "sdxl-text-to-image.json";                     // 29 KB
constexpr const char* kMultidiffusion = "default-multidiffusion-sdxl.json";  // 45 KB, largest

struct Fixture {
  std::string text;
  simdjson::padded_string padded;
  bool ok = false;
};

const Fixture& fixture(const std::string& name) {
  static std::map<std::string, std::unique_ptr<Fixture>> cache;
  auto& slot = cache[name];
  if (!slot) {
    slot = std::make_unique<Fixture>();
    std::ifstream in(std::string(IVK_SHARED_DIR) + "/fixtures/workflows/" + name, std::ios::binary);
    if (in) {
      std::ostringstream ss;
      ss << in.rdbuf();
      slot->text = ss.str();
      slot->padded = simdjson::padded_string(slot->text);
      slot->ok = !slot->text.empty();
    }
  }
  return *slot;
}

const Fixture* load_or_skip(benchmark::State& state, const char* name) {
  const Fixture& f = fixture(name);
  if (!f.ok) {
    state.SkipWithError((std::string("cannot read fixture ") + name).c_str());
    return nullptr;
  }
  return &f;
}

void set_bytes(benchmark::State& state, const Fixture& f) {
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(f.text.size()));
}

// ---------------------------------------------------------------- nlohmann

void BM_Nlohmann_Parse(benchmark::State& state, const char* name) {
  const Fixture* f = load_or_skip(state, name);
  if (!f) return;
  for (auto _ : state) {
    nlohmann::json j = nlohmann::json::parse(f->text);
    benchmark::DoNotOptimize(j);
  }
  set_bytes(state, *f);
}

void BM_NlohmannOrdered_Parse(benchmark::State& state, const char* name) {
  const Fixture* f = load_or_skip(state, name);
  if (!f) return;
  for (auto _ : state) {
    nlohmann::ordered_json j = nlohmann::ordered_json::parse(f->text);
    benchmark::DoNotOptimize(j);
  }
  set_bytes(state, *f);
}

void BM_NlohmannOrdered_Dump(benchmark::State& state, const char* name) {
  const Fixture* f = load_or_skip(state, name);
  if (!f) return;
  const nlohmann::ordered_json j = nlohmann::ordered_json::parse(f->text);
  for (auto _ : state) {
    std::string out = j.dump();
    benchmark::DoNotOptimize(out);
  }
  set_bytes(state, *f);
}

// ---------------------------------------------------------------- Boost.JSON

void BM_BoostJson_Parse(benchmark::State& state, const char* name) {
  const Fixture* f = load_or_skip(state, name);
  if (!f) return;
  for (auto _ : state) {
    boost::json::value v = boost::json::parse(f->text);
    benchmark::DoNotOptimize(v);
  }
  set_bytes(state, *f);
}

void BM_BoostJson_ParseMonotonic(benchmark::State& state, const char* name) {
  const Fixture* f = load_or_skip(state, name);
  if (!f) return;
  // A reused initial block big enough for the whole document: no malloc per parse.
  std::vector<unsigned char> block(8 * f->text.size() + 64 * 1024);
  for (auto _ : state) {
    boost::json::monotonic_resource mr(block.data(), block.size());
    boost::json::value v = boost::json::parse(f->text, &mr);
    benchmark::DoNotOptimize(v);
  }
  set_bytes(state, *f);
}

void BM_BoostJson_ParserReusedMonotonic(benchmark::State& state, const char* name) {
  const Fixture* f = load_or_skip(state, name);
  if (!f) return;
  std::vector<unsigned char> block(8 * f->text.size() + 64 * 1024);
  boost::json::parser p;  // keeps its temporary stack between documents
  for (auto _ : state) {
    boost::json::monotonic_resource mr(block.data(), block.size());
    p.reset(&mr);
    boost::json::error_code ec;
    p.write(f->text.data(), f->text.size(), ec);
    if (ec) {
      state.SkipWithError(ec.message().c_str());
      return;
    }
    boost::json::value v = p.release();
    benchmark::DoNotOptimize(v);
  }
  set_bytes(state, *f);
}

void BM_BoostJson_Serialize(benchmark::State& state, const char* name) {
  const Fixture* f = load_or_skip(state, name);
  if (!f) return;
  const boost::json::value v = boost::json::parse(f->text);
  for (auto _ : state) {
    std::string out = boost::json::serialize(v);
    benchmark::DoNotOptimize(out);
  }
  set_bytes(state, *f);
}

// ---------------------------------------------------------------- RapidJSON

void BM_RapidJson_Parse(benchmark::State& state, const char* name) {
  const Fixture* f = load_or_skip(state, name);
  if (!f) return;
  for (auto _ : state) {
    rapidjson::Document d;
    d.Parse(f->text.data(), f->text.size());
    if (d.HasParseError()) {
      state.SkipWithError("RapidJSON parse error");
      return;
    }
    benchmark::DoNotOptimize(d);
  }
  set_bytes(state, *f);
}

void BM_RapidJson_ParseInsitu(benchmark::State& state, const char* name) {
  const Fixture* f = load_or_skip(state, name);
  if (!f) return;
  // ParseInsitu destroys its input, so each iteration parses a fresh copy (the copy is timed:
  // a caller that must keep the original bytes, as ivk does, pays it too).
  std::vector<char> buf(f->text.size() + 1);
  for (auto _ : state) {
    std::copy(f->text.begin(), f->text.end(), buf.begin());
    buf.back() = '\0';
    rapidjson::Document d;
    d.ParseInsitu(buf.data());
    if (d.HasParseError()) {
      state.SkipWithError("RapidJSON insitu parse error");
      return;
    }
    benchmark::DoNotOptimize(d);
  }
  set_bytes(state, *f);
}

void BM_RapidJson_Serialize(benchmark::State& state, const char* name) {
  const Fixture* f = load_or_skip(state, name);
  if (!f) return;
  rapidjson::Document d;
  d.Parse(f->text.data(), f->text.size());
  for (auto _ : state) {
    rapidjson::StringBuffer sb;
    rapidjson::Writer<rapidjson::StringBuffer> w(sb);
    d.Accept(w);
    benchmark::DoNotOptimize(sb.GetString());
  }
  set_bytes(state, *f);
}

// ---------------------------------------------------------------- simdjson

void BM_SimdjsonDom_Parse(benchmark::State& state, const char* name) {
  const Fixture* f = load_or_skip(state, name);
  if (!f) return;
  simdjson::dom::parser parser;  // reused: its tape and string buffers stay allocated
  for (auto _ : state) {
    simdjson::dom::element root;
    if (auto err = parser.parse(f->padded).get(root)) {
      state.SkipWithError(simdjson::error_message(err));
      return;
    }
    benchmark::DoNotOptimize(root);
  }
  set_bytes(state, *f);
}

void BM_SimdjsonDom_Minify(benchmark::State& state, const char* name) {
  const Fixture* f = load_or_skip(state, name);
  if (!f) return;
  simdjson::dom::parser parser;
  simdjson::dom::element root = parser.parse(f->padded).value();
  for (auto _ : state) {
    std::string out = simdjson::to_string(root);
    benchmark::DoNotOptimize(out);
  }
  set_bytes(state, *f);
}

// The span index the loader builds: offsets into the original text, nothing copied.
struct Span {
  uint32_t off = 0;
  uint32_t len = 0;
};
struct InputEntry {
  std::string_view name;  // unescaped key (in the parser's string buffer in this bench)
  Span value;
};
struct NodeEntry {
  Span id, type;
  uint32_t first_input = 0, input_count = 0;
};
struct EdgeEntry {
  Span source, source_handle, target, target_handle;
};
struct Index {
  std::vector<NodeEntry> nodes;
  std::vector<InputEntry> inputs;
  std::vector<EdgeEntry> edges;
  void clear() {
    nodes.clear();
    inputs.clear();
    edges.clear();
  }
};

Span span_of(const char* base, std::string_view s) {
  return Span{static_cast<uint32_t>(s.data() - base), static_cast<uint32_t>(s.size())};
}

std::string_view trim_right(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\n' || s.back() == '\r' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

// simdjson 3.0.1 has raw_json() on object/array only; scalars use raw_json_token(), which may
// include whitespace after the token.
simdjson::error_code value_span(const char* base, od::value v, Span& out) {
  od::json_type t;
  if (auto e = v.type().get(t)) return e;
  std::string_view raw;
  if (t == od::json_type::object) {
    od::object o;
    if (auto e = v.get_object().get(o)) return e;
    if (auto e = o.raw_json().get(raw)) return e;
  } else if (t == od::json_type::array) {
    od::array a;
    if (auto e = v.get_array().get(a)) return e;
    if (auto e = a.raw_json().get(raw)) return e;
  } else {
    raw = trim_right(v.raw_json_token());
  }
  out = span_of(base, raw);
  return simdjson::SUCCESS;
}

simdjson::error_code index_node(const char* base, od::object node, Index& idx) {
  NodeEntry ne;
  ne.first_input = static_cast<uint32_t>(idx.inputs.size());
  for (auto nf : node) {
    od::field field;
    if (auto e = std::move(nf).get(field)) return e;
    if (field.key() == "id") {
      if (auto e = value_span(base, field.value(), ne.id)) return e;
    } else if (field.key() == "data") {
      od::object data;
      if (auto e = field.value().get_object().get(data)) return e;
      for (auto df : data) {
        od::field dfield;
        if (auto e = std::move(df).get(dfield)) return e;
        if (dfield.key() == "type") {
          if (auto e = value_span(base, dfield.value(), ne.type)) return e;
        } else if (dfield.key() == "inputs") {
          od::object inputs;
          if (auto e = dfield.value().get_object().get(inputs)) return e;
          for (auto inf : inputs) {
            od::field in;
            if (auto e = std::move(inf).get(in)) return e;
            InputEntry ie;
            if (auto e = in.unescaped_key().get(ie.name)) return e;
            od::object input;
            if (auto e = in.value().get_object().get(input)) return e;
            for (auto pf : input) {
              od::field prop;
              if (auto e = std::move(pf).get(prop)) return e;
              if (prop.key() == "value") {
                if (auto e = value_span(base, prop.value(), ie.value)) return e;
              }
            }
            idx.inputs.push_back(ie);
          }
        }
      }
    }
  }
  ne.input_count = static_cast<uint32_t>(idx.inputs.size()) - ne.first_input;
  idx.nodes.push_back(ne);
  return simdjson::SUCCESS;
}

simdjson::error_code index_edge(const char* base, od::object edge, Index& idx) {
  EdgeEntry ee;
  for (auto ef : edge) {
    od::field field;
    if (auto e = std::move(ef).get(field)) return e;
    Span* target = nullptr;
    if (field.key() == "source")
      target = &ee.source;
    else if (field.key() == "sourceHandle")
      target = &ee.source_handle;
    else if (field.key() == "target")
      target = &ee.target;
    else if (field.key() == "targetHandle")
      target = &ee.target_handle;
    if (target) {
      if (auto e = value_span(base, field.value(), *target)) return e;
    }
  }
  idx.edges.push_back(ee);
  return simdjson::SUCCESS;
}

simdjson::error_code build_index(od::parser& parser, const simdjson::padded_string& text, Index& idx) {
  idx.clear();
  const char* base = text.data();
  od::document doc;
  if (auto e = parser.iterate(text).get(doc)) return e;
  od::object root;
  if (auto e = doc.get_object().get(root)) return e;
  for (auto rf : root) {
    od::field field;
    if (auto e = std::move(rf).get(field)) return e;
    if (field.key() == "nodes") {
      od::array nodes;
      if (auto e = field.value().get_array().get(nodes)) return e;
      for (auto nv : nodes) {
        od::object node;
        if (auto e = nv.get_object().get(node)) return e;
        if (auto e = index_node(base, node, idx)) return e;
      }
    } else if (field.key() == "edges") {
      od::array edges;
      if (auto e = field.value().get_array().get(edges)) return e;
      for (auto ev : edges) {
        od::object edge;
        if (auto e = ev.get_object().get(edge)) return e;
        if (auto e = index_edge(base, edge, idx)) return e;
      }
    }
  }
  return simdjson::SUCCESS;
}

void BM_SimdjsonOndemand_Index(benchmark::State& state, const char* name) {
  const Fixture* f = load_or_skip(state, name);
  if (!f) return;
  od::parser parser;
  Index idx;
  for (auto _ : state) {
    if (auto e = build_index(parser, f->padded, idx)) {
      state.SkipWithError(simdjson::error_message(e));
      return;
    }
    benchmark::DoNotOptimize(idx.inputs.data());
  }
  state.counters["nodes"] = static_cast<double>(idx.nodes.size());
  state.counters["inputs"] = static_cast<double>(idx.inputs.size());
  state.counters["edges"] = static_cast<double>(idx.edges.size());
  set_bytes(state, *f);
}

// Same, plus copying the caller's std::string into a padded buffer each time (what the loader
// does when handed bytes it does not own).
void BM_SimdjsonOndemand_IndexWithPadCopy(benchmark::State& state, const char* name) {
  const Fixture* f = load_or_skip(state, name);
  if (!f) return;
  od::parser parser;
  Index idx;
  for (auto _ : state) {
    simdjson::padded_string padded(f->text);
    if (auto e = build_index(parser, padded, idx)) {
      state.SkipWithError(simdjson::error_message(e));
      return;
    }
    benchmark::DoNotOptimize(idx.inputs.data());
  }
  set_bytes(state, *f);
}

// The machine is shared: besides mean/median/stddev, report the fastest repetition.
double min_of(const std::vector<double>& v) {
  return v.empty() ? 0.0 : *std::min_element(v.begin(), v.end());
}

#define IVK_JSON_BENCH(fn)                                                                                 \
  BENCHMARK_CAPTURE(fn, sdxl_29k, kSdxl)->Unit(benchmark::kMicrosecond)->ComputeStatistics("min", min_of); \
  BENCHMARK_CAPTURE(fn, multidiffusion_45k, kMultidiffusion)                                               \
      ->Unit(benchmark::kMicrosecond)                                                                      \
      ->ComputeStatistics("min", min_of)

IVK_JSON_BENCH(BM_Nlohmann_Parse);
IVK_JSON_BENCH(BM_NlohmannOrdered_Parse);
IVK_JSON_BENCH(BM_BoostJson_Parse);
IVK_JSON_BENCH(BM_BoostJson_ParseMonotonic);
IVK_JSON_BENCH(BM_BoostJson_ParserReusedMonotonic);
IVK_JSON_BENCH(BM_RapidJson_Parse);
IVK_JSON_BENCH(BM_RapidJson_ParseInsitu);
IVK_JSON_BENCH(BM_SimdjsonDom_Parse);
IVK_JSON_BENCH(BM_SimdjsonOndemand_Index);
IVK_JSON_BENCH(BM_SimdjsonOndemand_IndexWithPadCopy);
IVK_JSON_BENCH(BM_BoostJson_Serialize);
IVK_JSON_BENCH(BM_RapidJson_Serialize);
IVK_JSON_BENCH(BM_NlohmannOrdered_Dump);
IVK_JSON_BENCH(BM_SimdjsonDom_Minify);

// ---------------------------------------------------------------- number formatting check

std::string rapidjson_text(double d) {
  rapidjson::StringBuffer sb;
  rapidjson::Writer<rapidjson::StringBuffer> w(sb);
  w.Double(d);
  return sb.GetString();
}

// How each library writes a number it parsed, and whether the parse was correctly rounded
// (compared with strtod). The last two literals come from sdxl-text-to-image.json.
void record_number_formatting() {
  for (const char* literal :
       {"0.7", "1.0", "0.3", "7.5", "1e-7", "1234567890123", "-119.85609886870043", "1382.2238109237367"}) {
    const double exact = std::strtod(literal, nullptr);
    const auto mark = [exact](double d) { return d == exact ? std::string() : std::string("(parse off)"); };

    const boost::json::value bv = boost::json::parse(literal);
    std::string boost_text = boost::json::serialize(bv);
    if (bv.is_double()) boost_text += mark(bv.get_double());

    rapidjson::Document rd;
    rd.Parse(literal);
    std::string rapid = "?";
    if (rd.IsDouble())
      rapid = rapidjson_text(rd.GetDouble()) + mark(rd.GetDouble());
    else if (rd.IsInt64())
      rapid = std::to_string(rd.GetInt64());
    rapidjson::Document rf;
    rf.Parse<rapidjson::kParseFullPrecisionFlag>(literal);
    std::string rapid_full = "?";
    if (rf.IsDouble())
      rapid_full = rapidjson_text(rf.GetDouble()) + mark(rf.GetDouble());
    else if (rf.IsInt64())
      rapid_full = std::to_string(rf.GetInt64());

    benchmark::AddCustomContext(std::string("number ") + literal,
                                "boost=" + boost_text + " rapidjson=" + rapid + " rapidjson_fullprec=" +
                                    rapid_full + " nlohmann=" + nlohmann::json::parse(literal).dump());
  }
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  record_number_formatting();
  benchmark::AddCustomContext("simdjson_implementation", simdjson::get_active_implementation()->name());
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
