#include "dedup/cases.h"

#include <algorithm>
#include <iterator>

namespace aidlink::dedup {

std::string_view LikelihoodName(Likelihood likelihood) {
  constexpr std::string_view kNames[] = {"none", "possible", "likely"};  // in enum order
  const auto i = static_cast<size_t>(likelihood);
  return i < std::size(kNames) ? kNames[i] : kNames[0];
}

std::vector<std::string_view> BasisNames(Basis basis) {
  std::vector<std::string_view> names;
  if (basis & kBasisPhone) names.push_back("phone");
  if (basis & kBasisAddress) names.push_back("address");
  if (basis & kBasisName) names.push_back("name");
  return names;
}

Verdict ClassifyPair(Basis shared, int phone_holders) {
  Verdict verdict;
  Basis strong = shared & (kBasisPhone | kBasisAddress | kBasisName);
  if ((strong & kBasisPhone) && phone_holders >= kSharedContactHolders) {
    strong &= static_cast<Basis>(~kBasisPhone);
    verdict.shared_contact = true;
  }
  verdict.basis = strong;
  const int count = ((strong & kBasisPhone) ? 1 : 0) + ((strong & kBasisAddress) ? 1 : 0) +
                    ((strong & kBasisName) ? 1 : 0);
  verdict.status = count >= 2   ? Likelihood::kLikely
                   : count == 1 ? Likelihood::kPossible
                                : Likelihood::kNone;
  return verdict;
}

Classification Classify(std::span<const Candidate> candidates, int phone_holders) {
  Classification result;
  for (const Candidate& c : candidates) {
    const Verdict v = ClassifyPair(c.shared, phone_holders);
    if (v.status == Likelihood::kNone) continue;
    result.matches.push_back({c.id, v});
  }
  std::sort(result.matches.begin(), result.matches.end(), [](const Match& a, const Match& b) {
    if (a.verdict.status != b.verdict.status) return a.verdict.status > b.verdict.status;
    return a.id < b.id;
  });
  if (!result.matches.empty()) result.status = result.matches.front().verdict.status;
  for (const Match& m : result.matches) {
    if (m.verdict.status == result.status) result.basis |= m.verdict.basis;
  }
  return result;
}

Classification Classify(const Keys& keys, std::span<const Other> others) {
  std::vector<Candidate> candidates;
  int phone_holders = 1;
  for (const Other& other : others) {
    Basis shared = 0;
    if (keys.phone && other.keys.phone == keys.phone) {
      shared |= kBasisPhone;
      ++phone_holders;
    }
    if (keys.address && other.keys.address == keys.address) shared |= kBasisAddress;
    if (keys.name && other.keys.name == keys.name) shared |= kBasisName;
    if (shared != 0) candidates.push_back({other.id, shared});
  }
  return Classify(candidates, phone_holders);
}

void Index::Insert(Postings& postings, const std::optional<Key>& key, RegistrationId id) {
  if (key) postings[*key].push_back(id);
}

void Index::Erase(Postings& postings, const std::optional<Key>& key, RegistrationId id) {
  if (!key) return;
  const auto it = postings.find(*key);
  if (it == postings.end()) return;
  std::vector<RegistrationId>& ids = it->second;
  const auto at = std::find(ids.begin(), ids.end(), id);
  if (at == ids.end()) return;
  *at = ids.back();
  ids.pop_back();
  if (ids.empty()) postings.erase(it);
}

void Index::Add(RegistrationId id, const Keys& keys) {
  Insert(phone_, keys.phone, id);
  Insert(address_, keys.address, id);
  Insert(name_, keys.name, id);
  ++size_;
}

void Index::Remove(RegistrationId id, const Keys& keys) {
  Erase(phone_, keys.phone, id);
  Erase(address_, keys.address, id);
  Erase(name_, keys.name, id);
  if (size_ > 0) --size_;
}

int Index::PhoneHolders(const Key& phone) const {
  const auto it = phone_.find(phone);
  return it == phone_.end() ? 0 : static_cast<int>(it->second.size());
}

std::vector<Candidate> Index::Find(const Keys& keys, std::optional<RegistrationId> self) const {
  std::vector<Candidate> found;
  const auto collect = [&](const Postings& postings, const std::optional<Key>& key, Basis bit) {
    if (!key) return;
    const auto it = postings.find(*key);
    if (it == postings.end()) return;
    for (const RegistrationId id : it->second) {
      if (id != self) found.push_back({id, bit});
    }
  };
  collect(phone_, keys.phone, kBasisPhone);
  collect(address_, keys.address, kBasisAddress);
  collect(name_, keys.name, kBasisName);
  std::sort(found.begin(), found.end(),
            [](const Candidate& a, const Candidate& b) { return a.id < b.id; });
  // One candidate per id, with the union of what it shares.
  std::vector<Candidate> merged;
  for (const Candidate& c : found) {
    if (!merged.empty() && merged.back().id == c.id) {
      merged.back().shared |= c.shared;
    } else {
      merged.push_back(c);
    }
  }
  return merged;
}

Classification Index::Check(const Keys& keys, std::optional<RegistrationId> self) const {
  const std::vector<Candidate> candidates = Find(keys, self);
  int phone_holders = 1;  // the registration checked
  for (const Candidate& c : candidates) {
    if (c.shared & kBasisPhone) ++phone_holders;
  }
  return Classify(candidates, phone_holders);
}

}  // namespace aidlink::dedup
