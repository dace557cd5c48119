#include "store/duplicates.h"

#include <algorithm>
#include <array>
#include <map>
#include <set>
#include <string_view>
#include <utility>

#include "dedup/cases.h"
#include "store/internal.h"
#include "store/repo.h"
#include "util/date.h"

namespace aidlink::store {
namespace {

using internal::BindAll;
using internal::ForEachRow;
using internal::JoinList;
using internal::Many;
using internal::MaybeOne;
using internal::One;
using internal::ReadColumns;
using internal::SplitList;

constexpr std::string_view kDuplicateHousehold = "duplicate_household";

std::string_view KindName(int kind) {
  switch (kind) {
    case 0:
      return "phone";
    case 1:
      return "address";
    default:
      return "name";
  }
}

dedup::Basis BasisBit(std::string_view kind) {
  if (kind == "phone") return dedup::kBasisPhone;
  if (kind == "address") return dedup::kBasisAddress;
  return dedup::kBasisName;
}

std::vector<std::string> BasisList(dedup::Basis basis) {
  std::vector<std::string> out;
  for (std::string_view b : dedup::BasisNames(basis)) out.emplace_back(b);
  return out;
}

// A case's basis as stored in its record.
dedup::Basis BasisOf(const std::vector<std::string>& names) {
  dedup::Basis out = 0;
  for (const std::string& b : names) out |= BasisBit(b);
  return out;
}

std::string JoinBasis(dedup::Basis basis) { return JoinList(BasisList(basis), ','); }

std::string IdsJson(const std::vector<int64_t>& ids) {
  std::string out = "[";
  for (size_t i = 0; i < ids.size(); ++i) out += (i ? "," : "") + std::to_string(ids[i]);
  return out + "]";
}

std::string BasisJson(dedup::Basis basis) {
  std::string out = "[";
  bool first = true;
  for (std::string_view b : dedup::BasisNames(basis)) {
    out += (first ? "\"" : ",\"") + std::string(b) + "\"";
    first = false;
  }
  return out + "]";
}

// The keys a requester holds now, as "kind:HEX;..." in kind order: what a
// different_households decision was made on.
StatusOr<std::string> KeyFingerprint(Database& db, int64_t requester_id) {
  AIDLINK_ASSIGN_STMT(st, db,
                      "SELECT kind, hex(key) FROM requester_keys WHERE requester_id = ? "
                      "ORDER BY kind");
  st->Bind(1, requester_id);
  std::string out;
  AIDLINK_RETURN_IF_ERROR(
      ForEachRow(st, [&](const Statement& row) { out += row.Text(0) + ":" + row.Text(1) + ";"; }));
  return out;
}

StatusOr<std::optional<int64_t>> ClusterOf(Database& db, int64_t requester_id) {
  AIDLINK_ASSIGN_STMT(st, db, "SELECT cluster_id FROM household_links WHERE requester_id = ?");
  st->Bind(1, requester_id);
  return MaybeOne<int64_t>(st, [](const Statement& row) { return row.Int(0); });
}

// True if the pair was judged different_households on the keys both hold now.
StatusOr<bool> JudgedDifferent(Database& db, int64_t a, int64_t b) {
  const int64_t low = std::min(a, b), high = std::max(a, b);
  AIDLINK_ASSIGN_STMT(st, db,
                      "SELECT low_keys, high_keys FROM duplicate_pair_decisions "
                      "WHERE low_id = ? AND high_id = ?");
  st->Bind(1, low).Bind(2, high);
  auto row = MaybeOne<std::pair<std::string, std::string>>(
      st, [](const Statement& r) { return std::make_pair(r.Text(0), r.Text(1)); });
  if (!row.ok()) return row.status();
  if (!row->has_value()) return false;
  auto low_now = KeyFingerprint(db, low);
  if (!low_now.ok()) return low_now.status();
  auto high_now = KeyFingerprint(db, high);
  if (!high_now.ok()) return high_now.status();
  return (*row)->first == *low_now && (*row)->second == *high_now;
}

Status ReplaceKeys(Database& db, int64_t requester_id, const dedup::Keys& keys) {
  AIDLINK_ASSIGN_STMT(del, db, "DELETE FROM requester_keys WHERE requester_id = ?");
  del->Bind(1, requester_id);
  AIDLINK_RETURN_IF_ERROR(del->Run());
  const std::optional<dedup::Key>* all[] = {&keys.phone, &keys.address, &keys.name};
  for (int kind = 0; kind < 3; ++kind) {
    if (!all[kind]->has_value()) continue;
    const dedup::Key& key = **all[kind];
    AIDLINK_ASSIGN_STMT(ins, db,
                        "INSERT INTO requester_keys (requester_id, kind, key) VALUES (?, ?, ?)");
    ins->Bind(1, requester_id)
        .Bind(2, KindName(kind))
        .BindBlob(3, std::string_view(reinterpret_cast<const char*>(key.data()), key.size()));
    AIDLINK_RETURN_IF_ERROR(ins->Run());
  }
  return Status::Ok();
}

std::string_view KeyBytes(const dedup::Key& key) {
  return {reinterpret_cast<const char*>(key.data()), key.size()};
}

// Other active requesters sharing a key with `keys`, with the shared kinds.
StatusOr<std::map<int64_t, dedup::Basis>> SharingKeys(Database& db, int64_t self,
                                                      const dedup::Keys& keys) {
  std::map<int64_t, dedup::Basis> out;
  const std::optional<dedup::Key>* all[] = {&keys.phone, &keys.address, &keys.name};
  for (int kind = 0; kind < 3; ++kind) {
    if (!all[kind]->has_value()) continue;
    AIDLINK_ASSIGN_STMT(st, db,
                        "SELECT k.requester_id FROM requester_keys k JOIN requesters r ON "
                        "r.id = k.requester_id WHERE k.kind = ? AND k.key = ? AND r.active = 1 "
                        "AND k.requester_id <> ?");
    st->Bind(1, KindName(kind)).BindBlob(2, KeyBytes(**all[kind])).Bind(3, self);
    const dedup::Basis bit = BasisBit(KindName(kind));
    AIDLINK_RETURN_IF_ERROR(ForEachRow(st, [&](const Statement& row) { out[row.Int(0)] |= bit; }));
  }
  return out;
}

// How many active requesters hold the phone key `key` (at least 1).
StatusOr<int> PhoneKeyHolders(Database& db, std::string_view key) {
  AIDLINK_ASSIGN_STMT(st, db,
                      "SELECT count(*) FROM requester_keys k JOIN requesters r ON "
                      "r.id = k.requester_id WHERE k.kind = 'phone' AND k.key = ? AND "
                      "r.active = 1");
  st->BindBlob(1, key);
  auto n = One<int64_t>(
      st, [](const Statement& r) { return r.Int(0); }, "count", "phone");
  if (!n.ok()) return n.status();
  return std::max(1, static_cast<int>(*n));
}

StatusOr<int> PhoneHolders(Database& db, const dedup::Keys& keys) {
  if (!keys.phone) return 1;
  return PhoneKeyHolders(db, KeyBytes(*keys.phone));
}

DuplicateCaseRecord ReadCaseRow(const Statement& row) {
  DuplicateCaseRecord c;
  ReadColumns(row, c.id, c.status, c.likelihood);
  c.basis = SplitList(row.Text(3), ',');
  c.decision = row.Text(4);
  c.primary_id = row.OptInt(5).value_or(0);
  c.reason = row.Text(6);
  c.created_at = row.Text(7);
  c.resolved_at = row.IsNull(8) ? "" : row.Text(8);
  c.version = row.Int(9);
  return c;
}

constexpr const char* kCaseColumns =
    "c.id, c.status, c.likelihood, c.basis, c.decision, c.primary_id, c.reason, c.created_at, "
    "c.resolved_at, c.version";

Status FillMembers(Database& db, DuplicateCaseRecord& c) {
  AIDLINK_ASSIGN_STMT(st, db,
                      "SELECT m.requester_id, r.station_id FROM duplicate_case_members m JOIN "
                      "requesters r ON r.id = m.requester_id WHERE m.case_id = ? "
                      "ORDER BY m.requester_id");
  st->Bind(1, c.id);
  c.member_ids.clear();
  c.member_stations.clear();
  AIDLINK_RETURN_IF_ERROR(ForEachRow(st, [&](const Statement& row) {
    c.member_ids.push_back(row.Int(0));
    c.member_stations.push_back(row.Int(1));
  }));
  AIDLINK_ASSIGN_STMT(cn, db,
                      "SELECT need_id FROM duplicate_cancellations WHERE case_id = ? "
                      "ORDER BY need_id");
  cn->Bind(1, c.id);
  c.cancelled_need_ids.clear();
  return ForEachRow(cn, [&](const Statement& row) { c.cancelled_need_ids.push_back(row.Int(0)); });
}

Status AddMember(Database& db, int64_t case_id, int64_t requester_id, const std::string& now) {
  AIDLINK_ASSIGN_STMT(st, db,
                      "INSERT OR IGNORE INTO duplicate_case_members (case_id, requester_id, "
                      "joined_at) VALUES (?, ?, ?)");
  BindAll(st, case_id, requester_id, now);
  return st->Run();
}

Status CheckTransition(const DuplicateCaseRecord& c, const std::string& want_status,
                       std::optional<int64_t> expected_version, const char* action) {
  if (expected_version && *expected_version != c.version) {
    return Conflict("duplicate case " + std::to_string(c.id) + " is at version " +
                        std::to_string(c.version) + ", not the If-Match version; reload and retry",
                    "If-Match");
  }
  if (c.status != want_status) {
    return FailedPrecondition("duplicate case " + std::to_string(c.id) + " is " + c.status +
                              ": only a" + (want_status == "open" ? "n open" : " resolved") +
                              " case can be " + action);
  }
  return Status::Ok();
}

// dedup::Classify of requester `self` with `keys` against the stored keys
// of the other active requesters, leaving out those of its own household
// cluster and pairs judged different_households on the keys they hold;
// `phone_holders` active requesters hold its phone key (PhoneHolders).
StatusOr<dedup::Classification> ClassifyAgainstStored(Database& db, int64_t self,
                                                      const dedup::Keys& keys, int phone_holders) {
  auto sharing = SharingKeys(db, self, keys);
  if (!sharing.ok()) return sharing.status();
  auto own_cluster = ClusterOf(db, self);
  if (!own_cluster.ok()) return own_cluster.status();
  std::vector<dedup::Candidate> candidates;
  for (const auto& [id, shared] : *sharing) {
    if (*own_cluster) {
      auto theirs = ClusterOf(db, id);
      if (!theirs.ok()) return theirs.status();
      if (*theirs == *own_cluster) continue;  // already one household
    }
    auto different = JudgedDifferent(db, self, id);
    if (!different.ok()) return different.status();
    if (*different) continue;
    candidates.push_back({id, shared});
  }
  return dedup::Classify(candidates, phone_holders);
}

// The keys requester `id` holds, by kind (0 phone, 1 address, 2 name; an
// empty string where it holds none).
StatusOr<std::array<std::string, 3>> StoredKeys(Database& db, int64_t id) {
  AIDLINK_ASSIGN_STMT(st, db, "SELECT kind, key FROM requester_keys WHERE requester_id = ?");
  st->Bind(1, id);
  std::array<std::string, 3> out;
  AIDLINK_RETURN_IF_ERROR(ForEachRow(st, [&](const Statement& row) {
    for (int kind = 0; kind < 3; ++kind) {
      if (row.Text(0) == KindName(kind)) out[static_cast<size_t>(kind)] = row.Text(1);
    }
  }));
  return out;
}

// What the members of case `c` share now, pair by pair under the pair rule:
// the strongest likelihood and the union of the evidence.
StatusOr<dedup::Verdict> CaseVerdictNow(Database& db, const DuplicateCaseRecord& c) {
  std::vector<std::array<std::string, 3>> keys;
  for (int64_t m : c.member_ids) {
    auto k = StoredKeys(db, m);
    if (!k.ok()) return k.status();
    keys.push_back(std::move(*k));
  }
  const dedup::Basis bits[3] = {dedup::kBasisPhone, dedup::kBasisAddress, dedup::kBasisName};
  dedup::Verdict out;
  for (size_t i = 0; i < keys.size(); ++i) {
    for (size_t j = i + 1; j < keys.size(); ++j) {
      dedup::Basis shared = 0;
      for (size_t kind = 0; kind < 3; ++kind) {
        if (!keys[i][kind].empty() && keys[i][kind] == keys[j][kind]) shared |= bits[kind];
      }
      int holders = 1;
      if (shared & dedup::kBasisPhone) {
        auto n = PhoneKeyHolders(db, keys[i][0]);
        if (!n.ok()) return n.status();
        holders = *n;
      }
      const dedup::Verdict v = dedup::ClassifyPair(shared, holders);
      if (v.status > out.status) out.status = v.status;
      out.basis |= v.basis;
    }
  }
  return out;
}

// When `keys`' phone reaches kSharedContactHolders active holders, it is a
// shared contact (a building leader, a social worker) and no longer evidence:
// every open case with a member holding it is judged again on what its
// members share now, and a case that rested on the phone is lowered (a
// likely case no longer holds needs). Cases are never raised here; a
// member's next write does that.
Status RecheckSharedPhoneCases(Database& db, const dedup::Keys& keys, int phone_holders,
                               const Actor& actor) {
  if (!keys.phone || phone_holders < dedup::kSharedContactHolders) return Status::Ok();
  AIDLINK_ASSIGN_STMT(st, db,
                      std::string("SELECT DISTINCT ") + kCaseColumns +
                          " FROM duplicate_cases c JOIN duplicate_case_members m ON m.case_id = "
                          "c.id JOIN requester_keys k ON k.requester_id = m.requester_id WHERE "
                          "c.status = 'open' AND k.kind = 'phone' AND k.key = ? ORDER BY c.id");
  st->BindBlob(1, KeyBytes(*keys.phone));
  auto cases = Many<DuplicateCaseRecord>(st, ReadCaseRow);
  if (!cases.ok()) return cases.status();
  for (DuplicateCaseRecord& c : *cases) {
    const dedup::Basis was = BasisOf(c.basis);
    if (!(was & dedup::kBasisPhone)) continue;
    AIDLINK_RETURN_IF_ERROR(FillMembers(db, c));
    auto now = CaseVerdictNow(db, c);
    if (!now.ok()) return now.status();
    const bool likely = c.likelihood == "likely" && now->status == dedup::Likelihood::kLikely;
    const dedup::Basis basis = was & now->basis;
    AIDLINK_ASSIGN_STMT(up, db,
                        "UPDATE duplicate_cases SET likelihood = ?, basis = ?, version = "
                        "version + 1 WHERE id = ?");
    BindAll(up, likely ? "likely" : "possible", JoinBasis(basis), c.id);
    AIDLINK_RETURN_IF_ERROR(up->Run());
    AIDLINK_RETURN_IF_ERROR(AppendEvent(db, actor, "duplicate_case_rechecked", "duplicate_case",
                                        c.id,
                                        "{\"reason\":\"shared_contact_phone\",\"likelihood\":\"" +
                                            std::string(likely ? "likely" : "possible") +
                                            "\",\"basis\":" + BasisJson(basis) + "}"));
  }
  return Status::Ok();
}

}  // namespace

StatusOr<DuplicateFinding> CurrentDuplicate(Database& db, const Requester& requester,
                                            const dedup::Secret& secret) {
  DuplicateFinding out;
  if (!requester.active) return out;
  const dedup::Keys keys = dedup::MakeKeys(
      secret, {requester.name, requester.phone, requester.district, requester.address});
  auto holders = PhoneHolders(db, keys);
  if (!holders.ok()) return holders.status();
  auto found = ClassifyAgainstStored(db, requester.id, keys, *holders);
  if (!found.ok()) return found.status();
  if (found->status == dedup::Likelihood::kNone) return out;
  out.status = std::string(dedup::LikelihoodName(found->status));
  out.basis = BasisList(found->basis);
  AIDLINK_ASSIGN_STMT(st, db,
                      "SELECT c.id FROM duplicate_cases c JOIN duplicate_case_members m ON "
                      "m.case_id = c.id WHERE c.status = 'open' AND m.requester_id = ? "
                      "ORDER BY c.id LIMIT 1");
  st->Bind(1, requester.id);
  auto case_id = MaybeOne<int64_t>(st, [](const Statement& row) { return row.Int(0); });
  if (!case_id.ok()) return case_id.status();
  out.case_id = case_id->value_or(0);
  return out;
}

StatusOr<DuplicateFinding> RecordRequesterKeys(Database& db, const Requester& requester,
                                               const dedup::Secret& secret, const Actor& actor) {
  const dedup::Keys keys = dedup::MakeKeys(
      secret, {requester.name, requester.phone, requester.district, requester.address});
  AIDLINK_RETURN_IF_ERROR(ReplaceKeys(db, requester.id, keys));
  DuplicateFinding out;
  if (!requester.active) return out;
  auto holders = PhoneHolders(db, keys);
  if (!holders.ok()) return holders.status();
  AIDLINK_RETURN_IF_ERROR(RecheckSharedPhoneCases(db, keys, *holders, actor));
  auto classified = ClassifyAgainstStored(db, requester.id, keys, *holders);
  if (!classified.ok()) return classified.status();
  const dedup::Classification& found = *classified;
  if (found.status == dedup::Likelihood::kNone) return out;
  out.status = std::string(dedup::LikelihoodName(found.status));
  out.basis = BasisList(found.basis);

  std::vector<int64_t> members = {requester.id};
  dedup::Basis case_basis = 0;
  for (const dedup::Match& m : found.matches) {
    members.push_back(m.id);
    case_basis |= m.verdict.basis;
  }
  // The open case one of them is in already, if any (the oldest).
  std::string in_list;
  for (int64_t id : members) in_list += (in_list.empty() ? "" : ",") + std::to_string(id);
  AIDLINK_ASSIGN_STMT(find, db,
                      std::string("SELECT ") + kCaseColumns +
                          " FROM duplicate_cases c WHERE c.status = 'open' AND c.id IN (SELECT "
                          "case_id FROM duplicate_case_members WHERE requester_id IN (" +
                          in_list + ")) ORDER BY c.id LIMIT 1");
  auto existing = MaybeOne<DuplicateCaseRecord>(find, ReadCaseRow);
  if (!existing.ok()) return existing.status();
  const std::string now = date::NowRfc3339();
  const bool likely = found.status == dedup::Likelihood::kLikely;
  if (existing->has_value()) {
    DuplicateCaseRecord& c = **existing;
    AIDLINK_RETURN_IF_ERROR(FillMembers(db, c));
    std::vector<int64_t> added;
    for (int64_t id : members) {
      if (std::find(c.member_ids.begin(), c.member_ids.end(), id) == c.member_ids.end())
        added.push_back(id);
    }
    const dedup::Basis basis = BasisOf(c.basis) | case_basis;
    const std::string likelihood = likely || c.likelihood == "likely" ? "likely" : "possible";
    out.case_id = c.id;
    if (added.empty() && basis == BasisOf(c.basis) && likelihood == c.likelihood) {
      return out;  // nothing new: the case already says this
    }
    for (int64_t id : added) AIDLINK_RETURN_IF_ERROR(AddMember(db, c.id, id, now));
    AIDLINK_ASSIGN_STMT(up, db,
                        "UPDATE duplicate_cases SET likelihood = ?, basis = ?, version = "
                        "version + 1 WHERE id = ?");
    BindAll(up, likelihood, JoinBasis(basis), c.id);
    AIDLINK_RETURN_IF_ERROR(up->Run());
    AIDLINK_RETURN_IF_ERROR(AppendEvent(db, actor, "duplicate_case_joined", "duplicate_case", c.id,
                                        "{\"requester_id\":" + std::to_string(requester.id) +
                                            ",\"added\":" + IdsJson(added) + ",\"likelihood\":\"" +
                                            likelihood + "\",\"basis\":" + BasisJson(basis) + "}"));
    return out;
  }
  AIDLINK_ASSIGN_STMT(ins, db,
                      "INSERT INTO duplicate_cases (status, likelihood, basis, created_at) "
                      "VALUES ('open', ?, ?, ?)");
  BindAll(ins, likely ? "likely" : "possible", JoinBasis(case_basis), now);
  AIDLINK_RETURN_IF_ERROR(ins->Run());
  const int64_t case_id = db.LastInsertId();
  for (int64_t id : members) AIDLINK_RETURN_IF_ERROR(AddMember(db, case_id, id, now));
  std::sort(members.begin(), members.end());
  AIDLINK_RETURN_IF_ERROR(AppendEvent(
      db, actor, "duplicate_case_opened", "duplicate_case", case_id,
      "{\"requester_id\":" + std::to_string(requester.id) + ",\"members\":" + IdsJson(members) +
          ",\"likelihood\":\"" + std::string(likely ? "likely" : "possible") +
          "\",\"basis\":" + BasisJson(case_basis) + "}"));
  out.case_id = case_id;
  return out;
}

StatusOr<DuplicateCaseRecord> GetDuplicateCase(Database& db, int64_t id) {
  AIDLINK_ASSIGN_STMT(
      st, db, std::string("SELECT ") + kCaseColumns + " FROM duplicate_cases c WHERE c.id = ?");
  st->Bind(1, id);
  auto c = One<DuplicateCaseRecord>(st, ReadCaseRow, "duplicate case", "id");
  if (!c.ok()) return c.status();
  AIDLINK_RETURN_IF_ERROR(FillMembers(db, *c));
  return c;
}

StatusOr<std::vector<DuplicateCaseRecord>> ListDuplicateCases(Database& db,
                                                              const DuplicateCaseFilter& filter,
                                                              const Page& page) {
  std::string sql = std::string("SELECT ") + kCaseColumns +
                    " FROM duplicate_cases c WHERE c.id > ? AND (? = '' OR c.status = ?)";
  if (filter.station_id) {
    sql +=
        " AND c.id IN (SELECT m.case_id FROM duplicate_case_members m JOIN requesters r ON "
        "r.id = m.requester_id WHERE r.station_id = ?)";
  }
  sql += " ORDER BY c.id LIMIT ?";
  AIDLINK_ASSIGN_STMT(st, db, sql);
  BindAll(st, page.after_id, filter.status, filter.status);
  if (filter.station_id) {
    st->Bind(4, *filter.station_id).Bind(5, page.limit);
  } else {
    st->Bind(4, page.limit);
  }
  auto rows = Many<DuplicateCaseRecord>(st, ReadCaseRow);
  if (!rows.ok()) return rows.status();
  for (auto& c : *rows) AIDLINK_RETURN_IF_ERROR(FillMembers(db, c));
  return rows;
}

namespace {

// Each other member's open need for an item `primary_id` has an open need
// for is cancelled (reason duplicate_household) and recorded under case
// `id`, so that reopening restores exactly it. Returns the needs' ids.
StatusOr<std::vector<int64_t>> CancelDuplicateNeeds(Database& db, const DuplicateCaseRecord& c,
                                                    int64_t primary_id, const Actor& actor) {
  const int64_t id = c.id;
  std::vector<int64_t> cancelled;
  std::set<int64_t> primary_items;
  {
    AIDLINK_ASSIGN_STMT(st, db,
                        "SELECT DISTINCT item_id FROM needs WHERE requester_id = ? AND "
                        "outstanding > 0");
    st->Bind(1, primary_id);
    AIDLINK_RETURN_IF_ERROR(
        ForEachRow(st, [&](const Statement& row) { primary_items.insert(row.Int(0)); }));
  }
  for (int64_t m : c.member_ids) {
    if (m == primary_id) continue;
    std::vector<int64_t> open;
    {
      AIDLINK_ASSIGN_STMT(st, db,
                          "SELECT id, item_id FROM needs WHERE requester_id = ? AND "
                          "outstanding > 0 ORDER BY id");
      st->Bind(1, m);
      AIDLINK_RETURN_IF_ERROR(ForEachRow(st, [&](const Statement& row) {
        if (primary_items.count(row.Int(1))) open.push_back(row.Int(0));
      }));
    }
    for (int64_t need_id : open) {
      auto need = GetNeed(db, need_id);
      if (!need.ok()) return need.status();
      const int64_t quantity = need->outstanding;
      auto done = internal::CancelOutstanding(db, std::move(*need),
                                              std::string(kDuplicateHousehold), actor);
      if (!done.ok()) return done.status();
      AIDLINK_ASSIGN_STMT(rec, db,
                          "INSERT INTO duplicate_cancellations (case_id, need_id, quantity) "
                          "VALUES (?, ?, ?)");
      BindAll(rec, id, need_id, quantity);
      AIDLINK_RETURN_IF_ERROR(rec->Run());
      cancelled.push_back(need_id);
    }
  }
  return cancelled;
}

// different_households: every pair of the case's members is remembered with
// the keys both hold now, so it is not flagged again unless one changes.
Status RememberDifferent(Database& db, const DuplicateCaseRecord& c) {
  const int64_t id = c.id;
  for (size_t i = 0; i < c.member_ids.size(); ++i) {
    for (size_t j = i + 1; j < c.member_ids.size(); ++j) {
      const int64_t low = std::min(c.member_ids[i], c.member_ids[j]);
      const int64_t high = std::max(c.member_ids[i], c.member_ids[j]);
      auto low_keys = KeyFingerprint(db, low);
      if (!low_keys.ok()) return low_keys.status();
      auto high_keys = KeyFingerprint(db, high);
      if (!high_keys.ok()) return high_keys.status();
      AIDLINK_ASSIGN_STMT(st, db,
                          "INSERT OR REPLACE INTO duplicate_pair_decisions (low_id, high_id, "
                          "low_keys, high_keys, case_id) VALUES (?, ?, ?, ?, ?)");
      BindAll(st, low, high, *low_keys, *high_keys, id);
      AIDLINK_RETURN_IF_ERROR(st->Run());
    }
  }
  return Status::Ok();
}

// household_links holds the cluster of every registration in a household:
// the connected components of the members of resolved same_household cases
// (two cases that share a registration make one household, so a case
// between two clusters merges them), each named by its smallest requester
// id. Rebuilt whole after every resolution and reopening, so that reopening
// one case splits exactly what it joined.
Status RebuildHouseholdLinks(Database& db) {
  std::map<int64_t, int64_t> parent, case_of;
  const auto find = [&](int64_t r) {
    while (parent[r] != r) r = parent[r] = parent[parent[r]];
    return r;
  };
  AIDLINK_ASSIGN_STMT(st, db,
                      "SELECT m.case_id, m.requester_id FROM duplicate_case_members m JOIN "
                      "duplicate_cases c ON c.id = m.case_id WHERE c.status = 'resolved' AND "
                      "c.decision = 'same_household' ORDER BY m.case_id, m.requester_id");
  int64_t last_case = 0, first_member = 0;
  AIDLINK_RETURN_IF_ERROR(ForEachRow(st, [&](const Statement& row) {
    const int64_t kase = row.Int(0), r = row.Int(1);
    if (!parent.count(r)) parent[r] = r;
    case_of[r] = kase;
    if (kase != last_case) {
      last_case = kase;
      first_member = r;
      return;
    }
    const int64_t a = find(first_member), b = find(r);
    if (a != b) parent[std::max(a, b)] = std::min(a, b);  // the root is the smallest id
  }));
  AIDLINK_RETURN_IF_ERROR(db.Exec("DELETE FROM household_links"));
  for (const auto& [r, kase] : case_of) {
    AIDLINK_ASSIGN_STMT(link, db,
                        "INSERT INTO household_links (requester_id, cluster_id, case_id) "
                        "VALUES (?, ?, ?)");
    BindAll(link, r, find(r), kase);
    AIDLINK_RETURN_IF_ERROR(link->Run());
  }
  return Status::Ok();
}

}  // namespace

StatusOr<DuplicateCaseRecord> ResolveDuplicateCase(Database& db, int64_t id,
                                                   const std::string& decision, int64_t primary_id,
                                                   const std::string& reason,
                                                   std::optional<int64_t> expected_version,
                                                   const Actor& actor) {
  auto c = GetDuplicateCase(db, id);
  if (!c.ok()) return c.status();
  AIDLINK_RETURN_IF_ERROR(CheckTransition(*c, "open", expected_version, "resolved"));
  const bool same = decision == "same_household";
  const bool is_member =
      std::find(c->member_ids.begin(), c->member_ids.end(), primary_id) != c->member_ids.end();
  if (same && !is_member) {
    return InvalidArgument("primary_id must be one of the case's registrations", "primary_id");
  }
  if (!same && primary_id != 0 && !is_member) {
    return InvalidArgument("primary_id must be one of the case's registrations or absent",
                           "primary_id");
  }
  std::vector<int64_t> cancelled;
  if (same) {
    auto done = CancelDuplicateNeeds(db, *c, primary_id, actor);
    if (!done.ok()) return done.status();
    cancelled = std::move(*done);
  } else {
    AIDLINK_RETURN_IF_ERROR(RememberDifferent(db, *c));
  }
  const std::string now = date::NowRfc3339();
  AIDLINK_ASSIGN_STMT(up, db,
                      "UPDATE duplicate_cases SET status = 'resolved', decision = ?, primary_id = "
                      "?, reason = ?, resolved_at = ?, version = version + 1 WHERE id = ?");
  up->Bind(1, decision);
  if (primary_id != 0) {
    up->Bind(2, primary_id);
  } else {
    up->BindNull(2);
  }
  up->Bind(3, reason).Bind(4, now).Bind(5, id);
  AIDLINK_RETURN_IF_ERROR(up->Run());
  AIDLINK_RETURN_IF_ERROR(AppendEvent(db, actor, "duplicate_case_resolved", "duplicate_case", id,
                                      "{\"decision\":\"" + decision +
                                          "\",\"primary_id\":" + std::to_string(primary_id) +
                                          ",\"members\":" + IdsJson(c->member_ids) +
                                          ",\"cancelled_needs\":" + IdsJson(cancelled) + "}"));
  if (same) AIDLINK_RETURN_IF_ERROR(RebuildHouseholdLinks(db));
  return GetDuplicateCase(db, id);
}

StatusOr<DuplicateCaseRecord> ReopenDuplicateCase(Database& db, int64_t id,
                                                  const std::string& reason,
                                                  std::optional<int64_t> expected_version,
                                                  const Actor& actor) {
  auto c = GetDuplicateCase(db, id);
  if (!c.ok()) return c.status();
  AIDLINK_RETURN_IF_ERROR(CheckTransition(*c, "resolved", expected_version, "reopened"));
  std::vector<std::pair<int64_t, int64_t>> restore;
  {
    AIDLINK_ASSIGN_STMT(st, db,
                        "SELECT need_id, quantity FROM duplicate_cancellations WHERE case_id = ? "
                        "ORDER BY need_id");
    st->Bind(1, id);
    AIDLINK_RETURN_IF_ERROR(ForEachRow(
        st, [&](const Statement& row) { restore.emplace_back(row.Int(0), row.Int(1)); }));
  }
  std::vector<int64_t> restored;
  for (const auto& [need_id, quantity] : restore) {
    auto need = GetNeed(db, need_id);
    if (!need.ok()) return need.status();
    // What was cancelled comes back, never more than is still cancelled.
    const int64_t back = std::min(quantity, need->cancelled);
    if (back <= 0) continue;
    const std::string before =
        NeedQuantitiesJson(need->outstanding, need->allocated, need->delivered, need->cancelled);
    need->outstanding += back;
    need->cancelled -= back;
    if (need->cancelled == 0) need->cancel_reason.clear();
    need->status = NeedStatus(*need);
    AIDLINK_ASSIGN_STMT(up, db,
                        "UPDATE needs SET outstanding = ?, cancelled = ?, cancel_reason = ?, "
                        "status = ?, version = version + 1 WHERE id = ?");
    BindAll(up, need->outstanding, need->cancelled, need->cancel_reason, need->status, need_id);
    AIDLINK_RETURN_IF_ERROR(up->Run());
    AIDLINK_RETURN_IF_ERROR(AppendEvent(db, actor, "need_restored", "need", need_id,
                                        "{\"duplicate_case_id\":" + std::to_string(id) +
                                            ",\"before\":" + before + ",\"after\":" +
                                            NeedQuantitiesJson(need->outstanding, need->allocated,
                                                               need->delivered, need->cancelled) +
                                            "}"));
    restored.push_back(need_id);
  }
  for (const char* sql : {"DELETE FROM duplicate_cancellations WHERE case_id = ?",
                          "DELETE FROM duplicate_pair_decisions WHERE case_id = ?"}) {
    AIDLINK_ASSIGN_STMT(st, db, sql);
    st->Bind(1, id);
    AIDLINK_RETURN_IF_ERROR(st->Run());
  }
  AIDLINK_ASSIGN_STMT(up, db,
                      "UPDATE duplicate_cases SET status = 'open', decision = '', primary_id = "
                      "NULL, reason = ?, resolved_at = NULL, version = version + 1 WHERE id = ?");
  up->Bind(1, reason).Bind(2, id);
  AIDLINK_RETURN_IF_ERROR(up->Run());
  AIDLINK_RETURN_IF_ERROR(AppendEvent(db, actor, "duplicate_case_reopened", "duplicate_case", id,
                                      "{\"previous_decision\":\"" + c->decision +
                                          "\",\"restored_needs\":" + IdsJson(restored) + "}"));
  if (c->decision == "same_household") AIDLINK_RETURN_IF_ERROR(RebuildHouseholdLinks(db));
  return GetDuplicateCase(db, id);
}

StatusOr<HouseholdView> LoadHouseholdView(Database& db, std::chrono::system_clock::time_point now,
                                          std::chrono::seconds hold) {
  HouseholdView out;
  {
    AIDLINK_ASSIGN_STMT(st, db, "SELECT requester_id, cluster_id FROM household_links");
    AIDLINK_RETURN_IF_ERROR(
        ForEachRow(st, [&](const Statement& row) { out.cluster_of[row.Int(0)] = row.Int(1); }));
  }
  if (!out.cluster_of.empty()) {
    AIDLINK_ASSIGN_STMT(st, db,
                        "SELECT l.cluster_id, n.item_id, sum(n.allocated + n.delivered) FROM "
                        "household_links l JOIN needs n ON n.requester_id = l.requester_id JOIN "
                        "requesters r ON r.id = l.requester_id WHERE (n.outstanding = 0 OR "
                        "r.active = 0) AND n.allocated + n.delivered > 0 GROUP BY l.cluster_id, "
                        "n.item_id");
    AIDLINK_RETURN_IF_ERROR(ForEachRow(st, [&](const Statement& row) {
      out.received_outside[row.Int(0)][row.Int(1)] = row.Int(2);
    }));
  }
  if (hold.count() <= 0) return out;
  const std::string since = date::Rfc3339(now - hold);
  // Members of open likely cases opened within the hold period, with the
  // items each asked for: a member is held for the items an older member
  // asked for.
  std::map<int64_t, std::vector<int64_t>> members;  // case -> requester ids, ascending
  {
    AIDLINK_ASSIGN_STMT(st, db,
                        "SELECT m.case_id, m.requester_id FROM duplicate_cases c JOIN "
                        "duplicate_case_members m ON m.case_id = c.id JOIN requesters r ON "
                        "r.id = m.requester_id WHERE c.status = 'open' AND c.likelihood = "
                        "'likely' AND c.created_at > ? AND r.active = 1 ORDER BY m.case_id, "
                        "m.requester_id");
    st->Bind(1, since);
    AIDLINK_RETURN_IF_ERROR(
        ForEachRow(st, [&](const Statement& row) { members[row.Int(0)].push_back(row.Int(1)); }));
  }
  for (const auto& [case_id, ids] : members) {
    std::set<int64_t> asked_before;  // items the older members asked for
    for (int64_t id : ids) {
      std::set<int64_t> items;
      AIDLINK_ASSIGN_STMT(st, db, "SELECT DISTINCT item_id FROM needs WHERE requester_id = ?");
      st->Bind(1, id);
      AIDLINK_RETURN_IF_ERROR(
          ForEachRow(st, [&](const Statement& row) { items.insert(row.Int(0)); }));
      for (int64_t item : items) {
        if (asked_before.count(item)) out.held_items[id].insert(item);
      }
      asked_before.insert(items.begin(), items.end());
    }
  }
  return out;
}

StatusOr<int> BackfillRequesterKeys(Database& db, const dedup::Secret& secret) {
  struct Row {
    int64_t id;
    std::string name, phone, district, address;
  };
  std::vector<Row> rows;
  {
    AIDLINK_ASSIGN_STMT(st, db,
                        "SELECT id, name, phone, district, address FROM requesters r WHERE NOT "
                        "EXISTS (SELECT 1 FROM requester_keys k WHERE k.requester_id = r.id)");
    AIDLINK_RETURN_IF_ERROR(ForEachRow(st, [&](const Statement& row) {
      rows.push_back({row.Int(0), row.Text(1), row.Text(2), row.Text(3), row.Text(4)});
    }));
  }
  int written = 0;
  for (const Row& r : rows) {
    const dedup::Keys keys = dedup::MakeKeys(secret, {r.name, r.phone, r.district, r.address});
    if (!keys.phone && !keys.address && !keys.name) continue;
    AIDLINK_RETURN_IF_ERROR(ReplaceKeys(db, r.id, keys));
    ++written;
  }
  return written;
}

}  // namespace aidlink::store
