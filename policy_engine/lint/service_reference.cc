// This file's external interface is ServiceReference, GlobalKeyType and EditDistance.
#include "policy_engine/lint/service_reference.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstddef>
#include <utility>

#include "policy_engine/json/json.h"
#include "policy_engine/match/match.h"

namespace policy_engine::lint {

extern const char* const kAllActionsJsonChunks[];
extern const size_t kAllActionsJsonChunkCount;

namespace {

struct GlobalKey {
  std::string_view lower;  // full name, or a prefix ending in '/' for tag-style keys
  std::string_view type;
};

// Global condition keys (AWS "AWS global condition context keys" page). Tag-style keys end in '/'
// and match any suffix.
constexpr std::array<GlobalKey, 53> kGlobalKeys = {{
    {"aws:assumedroot", "Bool"},
    {"aws:calledvia", "ArrayOfString"},
    {"aws:calledviafirst", "String"},
    {"aws:calledvialast", "String"},
    {"aws:chatbotsourcearn", "ARN"},
    {"aws:currenttime", "Date"},
    {"aws:ec2instancesourceprivateipv4", "IPAddress"},
    {"aws:ec2instancesourcevpc", "String"},
    {"aws:epochtime", "Date"},
    {"aws:federatedprovider", "String"},
    {"aws:ismcpserviceaction", "Bool"},
    {"aws:multifactorauthage", "Numeric"},
    {"aws:multifactorauthpresent", "Bool"},
    {"aws:principalaccount", "String"},
    {"aws:principalarn", "ARN"},
    {"aws:principalisawsservice", "Bool"},
    {"aws:principalorgid", "String"},
    {"aws:principalorgpaths", "ArrayOfString"},
    {"aws:principalservicename", "String"},
    {"aws:principalservicenameslist", "ArrayOfString"},
    {"aws:principaltag/", "String"},
    {"aws:principaltype", "String"},
    {"aws:referer", "String"},
    {"aws:requestedregion", "String"},
    {"aws:requesttag/", "String"},
    {"aws:resourceaccount", "String"},
    {"aws:resourceorgid", "String"},
    {"aws:resourceorgpaths", "ArrayOfString"},
    {"aws:resourcetag/", "String"},
    {"aws:securetransport", "Bool"},
    {"aws:sourceaccount", "String"},
    {"aws:sourcearn", "ARN"},
    {"aws:sourceidentity", "String"},
    {"aws:sourceip", "IPAddress"},
    {"aws:sourceorgid", "String"},
    {"aws:sourceorgpaths", "ArrayOfString"},
    {"aws:sourceowner", "String"},
    {"aws:sourcevpc", "String"},
    {"aws:sourcevpcarn", "ARN"},
    {"aws:sourcevpce", "String"},
    {"aws:tagkeys", "ArrayOfString"},
    {"aws:tokenissuetime", "Date"},
    {"aws:useragent", "String"},
    {"aws:userid", "String"},
    {"aws:username", "String"},
    {"aws:viaawsservice", "Bool"},
    {"aws:vpceaccount", "String"},
    {"aws:vpceorgid", "String"},
    {"aws:vpceorgpaths", "ArrayOfString"},
    {"aws:vpcsourceip", "IPAddress"},
    {"aws:principalisawsservicelinkedrole", "Bool"},
    {"aws:requestedregions", "ArrayOfString"},
    // Not on the global keys page, but used by AWS managed policies (e.g. AWS Control Tower's).
    {"aws:principalorgmasteraccountid", "String"},
}};

std::string JoinChunks() {
  std::string out;
  for (size_t i = 0; i < kAllActionsJsonChunkCount; ++i) out += kAllActionsJsonChunks[i];
  return out;
}

}  // namespace

std::optional<std::string_view> GlobalKeyType(std::string_view key_lower) {
  for (const GlobalKey& k : kGlobalKeys) {
    if (k.lower.back() == '/') {
      if (key_lower.size() > k.lower.size() && key_lower.starts_with(k.lower)) return k.type;
    } else if (key_lower == k.lower) {
      return k.type;
    }
  }
  return std::nullopt;
}

size_t EditDistance(std::string_view a, std::string_view b, size_t limit) {
  if (a.size() > b.size() + limit || b.size() > a.size() + limit) return limit + 1;
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    size_t row_min = cur[0];
    char ca = static_cast<char>(std::tolower(static_cast<unsigned char>(a[i - 1])));
    for (size_t j = 1; j <= b.size(); ++j) {
      char cb = static_cast<char>(std::tolower(static_cast<unsigned char>(b[j - 1])));
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca == cb ? 0 : 1)});
      row_min = std::min(row_min, cur[j]);
    }
    if (row_min > limit) return limit + 1;
    std::swap(prev, cur);
  }
  return std::min(prev[b.size()], limit + 1);
}

ServiceReference::ServiceReference() {
  std::string text = JoinChunks();
  auto doc = json::Parse(text);
  if (!doc || !doc->is_object()) return;  // an empty reference: every service "unknown"
  if (const json::Node* meta = doc->Find("_meta"); meta != nullptr) {
    if (const json::Node* v = meta->Find("version"); v != nullptr && v->is_string()) {
      version_ = v->text;
    }
  }
  const json::Node* actions = doc->Find("actions");
  const json::Node* keys = doc->Find("conditionKeys");
  const json::Node* types = doc->Find("resourceTypes");
  if (actions == nullptr || !actions->is_object()) return;
  services_.reserve(actions->members.size());
  for (const json::Member& m : actions->members) {
    ServiceInfo s;
    s.prefix = m.name;
    if (m.value.is_array()) {
      for (const json::Node& a : m.value.items) {
        const json::Node* name = a.is_array() && !a.items.empty() ? &a.items[0] : nullptr;
        if (name == nullptr || !name->is_string()) continue;
        s.action_index.emplace(match::AsciiLower(name->text), s.actions.size());
        s.actions.push_back(name->text);
        s.actions_lower.push_back(match::AsciiLower(name->text));
      }
    }
    if (const json::Node* k = keys != nullptr ? keys->Find(m.name) : nullptr;
        k != nullptr && k->is_array()) {
      for (const json::Node& pair : k->items) {
        if (!pair.is_array() || pair.items.size() < 2 || !pair.items[0].is_string() ||
            !pair.items[1].is_string()) {
          continue;
        }
        ServiceInfo::Key key;
        std::string lower = match::AsciiLower(pair.items[0].text);
        size_t tmpl = std::min(lower.find("${"), lower.find('<'));
        // Some keys spell the template as a literal `tag-key`
        // (`secretsmanager:ResourceTag/tag-key`).
        if (tmpl == std::string::npos && lower.ends_with("tag/tag-key")) tmpl = lower.size() - 7;
        key.templated = tmpl != std::string::npos;
        key.lower = key.templated ? lower.substr(0, tmpl) : lower;
        key.type = pair.items[1].text;
        s.keys.push_back(std::move(key));
      }
    }
    if (const json::Node* t = types != nullptr ? types->Find(m.name) : nullptr;
        t != nullptr && t->is_array()) {
      for (const json::Node& pair : t->items) {
        if (!pair.is_array() || pair.items.size() < 2 || !pair.items[0].is_string() ||
            !pair.items[1].is_string()) {
          continue;
        }
        // Some types list several formats joined by ", ".
        std::string_view all = pair.items[1].text;
        while (!all.empty()) {
          size_t comma = all.find(", ");
          std::string_view one = all.substr(0, comma);
          all = comma == std::string_view::npos ? std::string_view() : all.substr(comma + 2);
          ServiceInfo::ArnFormat f;
          f.type = pair.items[0].text;
          size_t field = 0;
          for (char ch : one) {
            if (ch == ':' && field < 5) {
              ++field;
            } else {
              f.fields[field] += ch;
            }
          }
          if (field != 5 || f.fields[0] != "arn") continue;
          for (int k = 0; k < 6; ++k) {
            for (size_t i = 0; i < f.fields[k].size(); ++i) {
              size_t close = f.fields[k].find('}', i);
              if (f.fields[k].compare(i, 2, "${") == 0 && close != std::string::npos) {
                f.globs[k] += '*';
                i = close;
              } else {
                f.globs[k] += f.fields[k][i];
              }
            }
            f.globs[k] = match::AsciiLower(f.globs[k]);
            f.literal[k] = static_cast<uint32_t>(std::min(f.globs[k].find('*'), f.globs[k].size()));
          }
          s.arn_formats.push_back(std::move(f));
        }
      }
    }
    index_.emplace(match::AsciiLower(s.prefix), services_.size());
    services_.push_back(std::move(s));
  }
  // Index after services_ stops moving: the pointers stay valid. A format whose service field is
  // a placeholder (backup's recovery points, `arn:${Partition}:${Vendor}:…`) is filed under its
  // own service only: matching it against every service would make any ARN with a `*` valid.
  for (const ServiceInfo& s : services_) {
    for (const ServiceInfo::ArnFormat& f : s.arn_formats) {
      std::string_view service = f.fields[2].starts_with("${") ? s.prefix : f.fields[2];
      arn_services_[match::AsciiLower(service)].push_back(&f);
    }
  }
}

const ServiceReference& ServiceReference::Get() {
  static const ServiceReference* reference = new ServiceReference();  // never destroyed
  return *reference;
}

const ServiceInfo* ServiceReference::FindService(std::string_view prefix) const {
  auto it = index_.find(match::AsciiLower(prefix));
  return it == index_.end() ? nullptr : &services_[it->second];
}

std::string ServiceReference::NearestService(std::string_view prefix) const {
  std::string best;
  size_t best_d = std::max<size_t>(2, prefix.size() / 3);
  for (const ServiceInfo& s : services_) {
    size_t d = EditDistance(prefix, s.prefix, best_d);
    if (d < best_d || (d == best_d && best.empty() && d <= 2)) {
      best_d = d;
      best = s.prefix;
    }
  }
  return best;
}

std::string ServiceReference::NearestAction(const ServiceInfo& service, std::string_view name) {
  std::string best;
  size_t limit = std::max<size_t>(3, name.size() / 3);
  size_t best_d = limit + 1;
  for (const std::string& a : service.actions) {
    size_t d = EditDistance(name, a, std::min(limit, best_d));
    if (d < best_d) {
      best_d = d;
      best = a;
    }
  }
  return best;
}

std::optional<std::string> ServiceReference::KeyType(std::string_view key) const {
  std::string lower = match::AsciiLower(key);
  size_t colon = lower.find(':');
  if (colon == std::string::npos) return std::nullopt;
  std::string_view prefix = std::string_view(lower).substr(0, colon);
  if (prefix == "aws") {
    if (auto t = GlobalKeyType(lower)) return std::string(*t);
    return std::nullopt;
  }
  const ServiceInfo* s = FindService(prefix);
  if (s == nullptr) return std::nullopt;
  if (const ServiceInfo::Key* k = s->FindKey(lower)) return k->type;
  return std::nullopt;
}

const ServiceInfo::Key* ServiceInfo::FindKey(std::string_view key_lower) const {
  for (const Key& k : keys) {
    if (k.templated ? (key_lower.size() > k.lower.size() && key_lower.starts_with(k.lower))
                    : key_lower == k.lower) {
      return &k;
    }
  }
  return nullptr;
}

const std::vector<const ServiceInfo::ArnFormat*>& ServiceReference::FormatsForArnService(
    std::string_view arn_service) const {
  static const std::vector<const ServiceInfo::ArnFormat*> kNone;
  auto it = arn_services_.find(match::AsciiLower(arn_service));
  return it == arn_services_.end() ? kNone : it->second;
}

bool ServiceReference::AnyServiceHasKey(std::string_view key_lower) const {
  return std::any_of(services_.begin(), services_.end(),
                     [&](const ServiceInfo& s) { return s.FindKey(key_lower) != nullptr; });
}

}  // namespace policy_engine::lint
