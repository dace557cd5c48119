#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "dedup/keys.h"

// The classification rule of duplicate detection (docs/DEDUP.md, rules
// C1-C5) and an in-memory index from keys to registrations. Classification
// is pure and thread-safe; Index is thread-compatible (const methods may run
// concurrently, a writer needs exclusive access).
namespace aidlink::dedup {

using RegistrationId = int64_t;

enum class Likelihood { kNone, kPossible, kLikely };

// "none", "possible", "likely".
std::string_view LikelihoodName(Likelihood likelihood);

// The keys two registrations share, and a verdict's basis, as bits.
using Basis = uint8_t;
inline constexpr Basis kBasisPhone = 1u << 0;
inline constexpr Basis kBasisAddress = 1u << 1;
inline constexpr Basis kBasisName = 1u << 2;

// "phone", "address", "name" for the bits set in `basis`, in that order.
std::vector<std::string_view> BasisNames(Basis basis);

// A phone held by this many active registrations or more (the one being
// checked included) is a shared contact: a 楼长's, a social worker's.
inline constexpr int kSharedContactHolders = 3;

// The verdict on one pair of registrations.
struct Verdict {
  Likelihood status = Likelihood::kNone;
  // The shared keys that counted as evidence. A shared-contact phone never
  // does, so it is never listed.
  Basis basis = 0;
  // The pair shares a phone that is a shared contact.
  bool shared_contact = false;

  friend bool operator==(const Verdict&, const Verdict&) = default;
};

// The rule for one pair (C1-C4): the strong evidence is each shared key,
// except a shared phone held by kSharedContactHolders or more registrations
// (`phone_holders`). Two or more strong keys: kLikely (phone + address,
// address + name, and also phone + name); one: kPossible; none: kNone. A
// shared-contact phone alone is kNone and adds nothing to other keys.
Verdict ClassifyPair(Basis shared, int phone_holders);

// Another registration that shares at least one key with the one checked.
struct Candidate {
  RegistrationId id = 0;
  Basis shared = 0;

  friend bool operator==(const Candidate&, const Candidate&) = default;
};

struct Match {
  RegistrationId id = 0;
  Verdict verdict;
};

// The verdict on a registration against all others (C5): every pair is
// judged alone (evidence from two different registrations never adds up).
struct Classification {
  // The strongest pair verdict; kNone without candidates.
  Likelihood status = Likelihood::kNone;
  // The union of the bases of the pairs at that status.
  Basis basis = 0;
  // The pairs whose verdict is not kNone, strongest first, then by id.
  std::vector<Match> matches;
};

// Classifies a registration with `candidates` (distinct ids) and a phone
// held by `phone_holders` active registrations, itself included (1 if it
// has no phone key).
Classification Classify(std::span<const Candidate> candidates, int phone_holders);

struct Other {
  RegistrationId id = 0;
  Keys keys;
};

// Classifies a registration with keys `keys` against the other active
// registrations `others` (which must not include it): the convenience form
// for small sets; Index does the same at scale.
Classification Classify(const Keys& keys, std::span<const Other> others);

// Active registrations by key: hash maps from each key to the registrations
// holding it (a hash node and an id vector per distinct key, on the order of
// 150 bytes).
class Index {
 public:
  // Adds registration `id` with `keys`. REQUIRES: `id` is not in the index.
  void Add(RegistrationId id, const Keys& keys);
  // Removes registration `id`, which was added with `keys` (an edit is
  // Remove with the old keys, then Add with the new). No-op for keys it does
  // not hold.
  void Remove(RegistrationId id, const Keys& keys);

  // Number of registrations in the index holding phone key `phone`.
  int PhoneHolders(const Key& phone) const;

  // Registrations other than `self` sharing a key with `keys`, by id.
  std::vector<Candidate> Find(const Keys& keys, std::optional<RegistrationId> self) const;

  // Classify() of `keys` against the index, as registration `self` (whose
  // own entries, if present, are not candidates): what a write of `self`
  // with `keys` would be told.
  Classification Check(const Keys& keys, std::optional<RegistrationId> self) const;

  // Number of Add calls less the number of Remove calls.
  size_t size() const { return size_; }

 private:
  using Postings = std::unordered_map<Key, std::vector<RegistrationId>, KeyHash>;

  static void Insert(Postings& postings, const std::optional<Key>& key, RegistrationId id);
  static void Erase(Postings& postings, const std::optional<Key>& key, RegistrationId id);

  Postings phone_;
  Postings address_;
  Postings name_;
  size_t size_ = 0;
};

}  // namespace aidlink::dedup
