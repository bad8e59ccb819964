// Writes the benchmark workload as files in the `portcullis eval --store` formats, so any
// engine can be timed on exactly the decisions the benchmarks make:
//   make_workload STATEMENTS OUT_DIR [REQUESTS]  ->  OUT_DIR/store-N.json, OUT_DIR/requests-N.jsonl
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>

#include "bench/workload.h"

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: make_workload STATEMENTS OUT_DIR [REQUESTS]\n";
    return 2;
  }
  size_t statements = std::strtoull(argv[1], nullptr, 10);
  size_t requests = argc > 3 ? std::strtoull(argv[3], nullptr, 10) : 20000;
  portcullis_bench::Workload w = portcullis_bench::MakeWorkload(statements, requests);
  std::string dir = argv[2];
  std::string n = std::to_string(statements);
  std::ofstream store(dir + "/store-" + n + ".json");
  store << w.store_json << "\n";
  std::ofstream out(dir + "/requests-" + n + ".jsonl");
  for (const std::string& line : w.requests) out << line << "\n";
  if (!store || !out) {
    std::cerr << "make_workload: cannot write to " << dir << "\n";
    return 2;
  }
  std::cout << "wrote " << w.statements << " statements, " << w.requests.size() << " requests\n";
  return 0;
}
