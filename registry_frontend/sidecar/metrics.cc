// Prometheus metrics (metrics.h).
#include "registry_frontend/sidecar/metrics.h"

#include <cstdio>

namespace registry_frontend::sidecar {

namespace {
constexpr std::array<std::string_view, 3> kOutcomes = {"allow", "deny", "error"};

std::string Number(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.9g", value);
  return buffer;
}
}  // namespace

size_t Metrics::ActionIndex(std::string_view action) {
  for (size_t i = 0; i + 1 < kActions.size(); ++i) {
    if (kActions[i] == action) return i;
  }
  return kActions.size() - 1;
}

void Metrics::CountDecision(MetricOutcome outcome, std::string_view action) {
  decisions_[static_cast<size_t>(outcome)][ActionIndex(action)].fetch_add(
      1, std::memory_order_relaxed);
}

void Metrics::ObserveLatency(uint64_t nanoseconds) {
  size_t i = 0;
  while (i < kBuckets.size() && static_cast<double>(nanoseconds) > kBuckets[i] * 1e9) ++i;
  // Non-cumulative per bucket; Render accumulates.
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  sum_ns_.fetch_add(nanoseconds, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
}

uint64_t Metrics::decisions(MetricOutcome outcome, std::string_view action) const {
  return decisions_[static_cast<size_t>(outcome)][ActionIndex(action)].load();
}

std::string Metrics::Render(std::string_view extra) const {
  std::string out;
  out +=
      "# HELP portcullis_decisions_total Authorization decisions by outcome and ECR action.\n"
      "# TYPE portcullis_decisions_total counter\n";
  for (size_t o = 0; o < kOutcomes.size(); ++o) {
    for (size_t a = 0; a < kActions.size(); ++a) {
      out += "portcullis_decisions_total{outcome=\"" + std::string(kOutcomes[o]) + "\",action=\"" +
             std::string(kActions[a]) + "\"} " + std::to_string(decisions_[o][a].load()) + "\n";
    }
  }
  out +=
      "# HELP portcullis_decision_seconds Time to decide one checked request.\n"
      "# TYPE portcullis_decision_seconds histogram\n";
  // count is the +Inf bucket, so the exposition stays self-consistent under concurrent updates.
  uint64_t cumulative = 0;
  for (size_t i = 0; i < kBuckets.size(); ++i) {
    cumulative += buckets_[i].load();
    out += "portcullis_decision_seconds_bucket{le=\"" + Number(kBuckets[i]) + "\"} " +
           std::to_string(cumulative) + "\n";
  }
  cumulative += buckets_[kBuckets.size()].load();
  out += "portcullis_decision_seconds_bucket{le=\"+Inf\"} " + std::to_string(cumulative) + "\n";
  out +=
      "portcullis_decision_seconds_sum " + Number(static_cast<double>(sum_ns_.load()) / 1e9) + "\n";
  out += "portcullis_decision_seconds_count " + std::to_string(cumulative) + "\n";
  out +=
      "# HELP portcullis_reloads_total Configuration reloads by result (unchanged: the text was "
      "the "
      "serving one, not recompiled).\n"
      "# TYPE portcullis_reloads_total counter\n"
      "portcullis_reloads_total{result=\"ok\"} " +
      std::to_string(reload_ok_.load()) +
      "\n"
      "portcullis_reloads_total{result=\"error\"} " +
      std::to_string(reload_error_.load()) +
      "\n"
      "portcullis_reloads_total{result=\"unchanged\"} " +
      std::to_string(reload_unchanged_.load()) +
      "\n"
      "# HELP portcullis_reload_fallbacks_total Reloads compiled on the reloading thread because "
      "the idle-priority compile missed its budget.\n"
      "# TYPE portcullis_reload_fallbacks_total counter\n"
      "portcullis_reload_fallbacks_total " +
      std::to_string(reload_fallbacks_.load()) + "\n";
  out +=
      "# HELP portcullis_snapshot_statements Compiled statements in the serving snapshot.\n"
      "# TYPE portcullis_snapshot_statements gauge\n"
      "portcullis_snapshot_statements " +
      std::to_string(statements_.load()) +
      "\n"
      "# HELP portcullis_snapshot_bytes Approximate bytes of the serving compiled program.\n"
      "# TYPE portcullis_snapshot_bytes gauge\n"
      "portcullis_snapshot_bytes " +
      std::to_string(bytes_.load()) + "\n";
  out +=
      "# HELP portcullis_auth_failures_total Checks answered 401 (missing, bad or expired "
      "credentials).\n"
      "# TYPE portcullis_auth_failures_total counter\n"
      "portcullis_auth_failures_total " +
      std::to_string(auth_failures_.load()) +
      "\n"
      "# HELP portcullis_bad_requests_total Checks refused as malformed (bad URI, headers).\n"
      "# TYPE portcullis_bad_requests_total counter\n"
      "portcullis_bad_requests_total " +
      std::to_string(bad_requests_.load()) + "\n";
  out += extra;
  return out;
}

}  // namespace registry_frontend::sidecar
