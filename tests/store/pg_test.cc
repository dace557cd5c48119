// store/pg: the libpq layer against a real, throwaway PostgreSQL 15 cluster.

#include "store/pg.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "support/pg_cluster.h"

namespace aidlink::store::pg {
namespace {

std::unique_ptr<Connection> Connect(const test::PgCluster& cluster) {
  StatusOr<std::unique_ptr<Connection>> conn = Connection::Open(cluster.Uri());
  INFO((conn.ok() ? "" : conn.status().ToString()));
  REQUIRE(conn.ok());
  return std::move(*conn);
}

void MakeTable(Connection& conn) {
  REQUIRE(conn.Exec("CREATE TABLE people (id BIGSERIAL PRIMARY KEY, name TEXT NOT NULL, "
                    "phone TEXT UNIQUE, size BIGINT CHECK (size > 0), lat DOUBLE PRECISION)")
              .ok());
}

int64_t Count(Connection& conn) {
  StatusOr<Result> r = conn.Run("SELECT count(*) FROM people");
  REQUIRE(r.ok());
  return r->Int(0, 0);
}

StatusOr<Result> Insert(Connection& conn, const std::string& name, const std::string& phone,
                        int64_t size = 1) {
  return conn.Run("INSERT INTO people (name, phone, size) VALUES ($1, $2, $3) RETURNING id",
                  Params().Add(name).Add(phone).Add(size));
}

TEST_CASE("values round-trip through parameters and results", "[pg]") {
  test::PgCluster cluster;
  std::unique_ptr<Connection> conn = Connect(cluster);
  MakeTable(*conn);
  StatusOr<Result> inserted =
      conn->Run("INSERT INTO people (name, phone, size, lat) VALUES ($1, $2, $3, $4) RETURNING id",
                Params().Add("金老伯").AddNull().Add(int64_t{4}).Add(30.123456789012345));
  REQUIRE(inserted.ok());
  CHECK(inserted->Affected() == 1);
  const int64_t id = inserted->Int(0, 0);
  StatusOr<Result> row =
      conn->Run("SELECT name, phone, size, lat FROM people WHERE id = $1", Params().Add(id));
  REQUIRE(row.ok());
  REQUIRE(row->Rows() == 1);
  CHECK(row->Text(0, 0) == "金老伯");
  CHECK(row->IsNull(0, 1));
  CHECK(row->OptInt(0, 1) == std::nullopt);
  CHECK(row->Int(0, 2) == 4);
  CHECK(row->Double(0, 3) == 30.123456789012345);  // exact, not rounded to 6 digits
  CHECK(conn->Run("SELECT 9223372036854775807::bigint")->Int(0, 0) == INT64_MAX);
}

TEST_CASE("constraint violations map to codes and never quote the row", "[pg]") {
  test::PgCluster cluster;
  std::unique_ptr<Connection> conn = Connect(cluster);
  MakeTable(*conn);
  REQUIRE(Insert(*conn, "金老伯", "13800001111").ok());
  const StatusOr<Result> dup = Insert(*conn, "金老伯", "13800001111");
  REQUIRE_FALSE(dup.ok());
  CHECK(dup.status().code() == Code::kConflict);
  CHECK(dup.status().message().find("people_phone_key") != std::string::npos);
  CHECK(dup.status().message().find("13800001111") == std::string::npos);  // DETAIL is dropped
  const StatusOr<Result> bad = Insert(*conn, "李", "13900002222", 0);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().code() == Code::kFailedPrecondition);
  CHECK(conn->Run("SELECT * FROM nowhere").status().code() == Code::kInternal);
  CHECK(Count(*conn) == 1);
}

TEST_CASE("a transaction commits, or rolls back when left or when it failed", "[pg]") {
  test::PgCluster cluster;
  std::unique_ptr<Connection> conn = Connect(cluster);
  MakeTable(*conn);
  {
    Transaction txn(*conn);
    REQUIRE(txn.Begin().ok());
    REQUIRE(Insert(*conn, "a", "1").ok());
    REQUIRE(txn.Commit().ok());
  }
  {
    Transaction txn(*conn);
    REQUIRE(txn.Begin().ok());
    REQUIRE(Insert(*conn, "b", "2").ok());
  }  // left without Commit
  CHECK(Count(*conn) == 1);
  {
    Transaction txn(*conn);
    REQUIRE(txn.Begin().ok());
    REQUIRE(Insert(*conn, "c", "3").ok());
    REQUIRE_FALSE(Insert(*conn, "a", "1").ok());
    const Status commit = txn.Commit();  // PostgreSQL answers ROLLBACK
    CHECK(commit.code() == Code::kUnavailable);
  }
  CHECK(Count(*conn) == 1);
}

TEST_CASE("a pipelined batch is one round trip with an outcome per statement", "[pg]") {
  test::PgCluster cluster;
  std::unique_ptr<Connection> conn = Connect(cluster);
  MakeTable(*conn);
  std::vector<Query> batch = {{"BEGIN", {}}};
  for (int i = 0; i < 200; ++i) {
    batch.push_back({"INSERT INTO people (name, phone) VALUES ($1, $2)",
                     Params().Add("n" + std::to_string(i)).Add(std::to_string(1000 + i))});
  }
  batch.push_back({"COMMIT", {}});
  StatusOr<std::vector<StatusOr<Result>>> done = conn->Pipeline(batch);
  REQUIRE(done.ok());
  REQUIRE(done->size() == batch.size());
  for (const StatusOr<Result>& r : *done) CHECK(r.ok());
  CHECK(done->back()->CommandTag() == "COMMIT");
  CHECK(Count(*conn) == 200);

  SECTION("after a failing statement the rest is skipped and the transaction rolls back") {
    std::vector<Query> failing = {
        {"BEGIN", {}},
        {"INSERT INTO people (name, phone) VALUES ($1, $2)", Params().Add("x").Add("9999")},
        {"INSERT INTO people (name, phone) VALUES ($1, $2)", Params().Add("y").Add("1000")},
        {"INSERT INTO people (name, phone) VALUES ($1, $2)", Params().Add("z").Add("9998")},
        {"COMMIT", {}}};
    StatusOr<std::vector<StatusOr<Result>>> out = conn->Pipeline(failing);
    REQUIRE(out.ok());
    REQUIRE(out->size() == 5);
    CHECK((*out)[1].ok());
    CHECK((*out)[2].status().code() == Code::kConflict);
    CHECK((*out)[3].status().code() == Code::kUnavailable);  // skipped
    CHECK_FALSE((*out)[4].ok());
    CHECK(Count(*conn) == 200);
    // The connection is usable again afterwards.
    CHECK(Insert(*conn, "w", "5555").ok());
  }
}

TEST_CASE("after the server crashes, committed rows survive and the connection comes back",
          "[pg]") {
  test::PgCluster cluster;
  std::unique_ptr<Connection> conn = Connect(cluster);
  MakeTable(*conn);
  REQUIRE(Insert(*conn, "kept", "1").ok());
  cluster.Stop("immediate");  // as kill -9 of the postmaster
  const StatusOr<Result> during = Insert(*conn, "lost", "2");
  REQUIRE_FALSE(during.ok());
  INFO(during.status().ToString());
  CHECK(during.status().code() == Code::kUnavailable);
  CHECK_FALSE(conn->Healthy());
  cluster.Start();
  REQUIRE(conn->Reconnect().ok());
  CHECK(Count(*conn) == 1);
  CHECK(Insert(*conn, "after", "3").ok());  // statements are prepared again
}

TEST_CASE("connecting to no server is unavailable, not a crash", "[pg]") {
  StatusOr<std::unique_ptr<Connection>> conn =
      Connection::Open("postgresql:///postgres?host=/nonexistent&port=5432&connect_timeout=2");
  REQUIRE_FALSE(conn.ok());
  CHECK(conn.status().code() == Code::kUnavailable);
}

}  // namespace
}  // namespace aidlink::store::pg
