#include "tests/cli/cli_process.hpp"
#include "tests/e2e/server_process.hpp"
#include "tests/support/temp_dir.hpp"

#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>

#include <SQLiteCpp/Database.h>

#include <filesystem>

using namespace checkpoint::test;
namespace json = boost::json;

TEST_CASE("the binary answers --help and --version, and refuses bad usage with 64")
{
    auto r = run_cli({"--help"}, {});
    CHECK(r.code == 0);
    CHECK_THAT(r.out, Catch::Contains("request") && Catch::Contains("manifests"));
    r = run_cli({"--version"}, {});
    CHECK(r.code == 0);
    CHECK_THAT(r.out, Catch::Contains("checkpoint 0.1.0"));
    r = run_cli({"request", "api-production"}, {});
    CHECK(r.code == 64);
    CHECK_THAT(r.err, Catch::Contains("--duration"));
}

TEST_CASE("without a server URL the CLI says where to set one and exits 1")
{
    temp_dir home;
    auto r = run_cli({"list"}, {{"HOME", home.path().string()}});
    CHECK(r.code == 1);
    CHECK_THAT(r.err, Catch::Contains("no server URL: set CHECKPOINT_URL"));
    CHECK_THAT(r.err, Catch::Contains(home.path().string() + "/.config/checkpoint/config"));
}

TEST_CASE("an unreachable server is a network error, exit 1")
{
    auto r = run_cli({"catalog"}, {{"CHECKPOINT_URL", "http://127.0.0.1:1"}, {"CHECKPOINT_TOKEN", "cpt_x"}});
    CHECK(r.code == 1);
    CHECK_THAT(r.err, Catch::Contains("cannot reach http://127.0.0.1:1: connect"));
}

TEST_CASE("manifests check validates the repository's manifests without a server")
{
    auto r = run_cli({"manifests", "check", std::string(CHECKPOINT_SOURCE_DIR) + "/manifests"}, {});
    CHECK(r.code == 0);
    CHECK_THAT(r.out, Catch::Contains("are valid:"));
    temp_dir dir;
    std::filesystem::create_directories(dir.path() / "bundles");
    r = run_cli({"manifests", "check", dir.path().string(), "--json"}, {});
    CHECK(r.code == 1);
    auto v = json::parse(r.out);
    CHECK(v.at("ok") == false);
    CHECK_FALSE(v.at("errors").as_array().empty());
}

TEST_CASE("audit verify --database checks the keyed chain with the server's key, refuses another, and holds "
          "an anchor")
{
    temp_dir dir;
    const auto db = dir.file("checkpoint.db");
    {
        // The real server makes the key beside the database at its first start (mode 0600).
        server_process server(e2e_env(dir.path().string()));
        REQUIRE(server.stop() == 0);
    }
    const auto key_file = db + ".audit-key";
    REQUIRE(std::filesystem::exists(key_file));
    CHECK((std::filesystem::status(key_file).permissions() & std::filesystem::perms::all) ==
          (std::filesystem::perms::owner_read | std::filesystem::perms::owner_write));
    // A token made on the file is audited with the key beside it.
    auto r = run_cli({"tokens", "create", "ops", "--scopes", "admin", "--database", db}, {});
    REQUIRE(r.code == 0);

    r = run_cli({"audit", "verify", "--database", db, "--json"}, {});
    CHECK(r.code == 0);
    const auto v = json::parse(r.out);
    CHECK(v.at("ok") == true);
    CHECK(v.at("keyed") == true);
    CHECK(v.at("events") == 1);

    // Another key: refused, naming where it came from, never used.
    r = run_cli({"audit", "verify", "--database", db}, {{"CHECKPOINT_AUDIT_KEY", std::string(64, 'e')}});
    CHECK(r.code == 1);
    CHECK_THAT(r.err, Catch::Contains("CHECKPOINT_AUDIT_KEY") && Catch::Contains("not the key"));
    CHECK_THAT(r.err, !Catch::Contains(std::string(64, 'e')));

    // An anchor as the security channel would show it: held, and a wrong one is not.
    SQLite::Database raw(db, SQLite::OPEN_READONLY);
    const auto mac = raw.execAndGet("SELECT mac FROM audit_log WHERE seq = 1").getString();
    r = run_cli({"audit", "verify", "--database", db, "--anchor", "1:" + mac}, {});
    CHECK(r.code == 0);
    r = run_cli({"audit", "verify", "--database", db, "--anchor", "2:" + mac}, {});
    CHECK(r.code == 1);
    CHECK_THAT(r.out, Catch::Contains("the anchor given"));
    r = run_cli({"audit", "verify", "--database", db, "--anchor", "1-" + mac}, {});
    CHECK(r.code == 64);
    CHECK_THAT(r.err, Catch::Contains("SEQ:HASH"));
}

TEST_CASE("audit verify and db backup work on the server's database file, without a server")
{
    temp_dir dir;
    const auto db = dir.file("checkpoint.db");
    {
        // The real server creates and migrates the file, then stops.
        server_process server(e2e_env(dir.path().string()));
        REQUIRE(server.stop() == 0);
    }
    auto r = run_cli({"audit", "verify", "--database", db}, {});
    CHECK(r.code == 0);
    CHECK_THAT(r.out, Catch::StartsWith("✓ Audit log intact: "));
    r = run_cli({"audit", "verify", "--database", db, "--json"}, {});
    CHECK(r.code == 0);
    CHECK(json::parse(r.out).at("ok") == true);

    const auto copy = dir.file("backup.db");
    r = run_cli({"db", "backup", copy, "--database", db}, {});
    CHECK(r.code == 0);
    CHECK(r.out == "✓ Backed up " + db + " to " + copy + " (integrity check: ok)\n");
    CHECK(std::filesystem::exists(copy));
    // The copy has no key beside it: its chain is verified with the server's key, given.
    r = run_cli({"audit", "verify", "--database", copy}, {});
    CHECK(r.code == 1);
    CHECK_THAT(r.err, Catch::Contains("keyed") && Catch::Contains("CHECKPOINT_AUDIT_KEY_FILE"));
    r = run_cli({"audit", "verify", "--database", copy}, {{"CHECKPOINT_AUDIT_KEY_FILE", db + ".audit-key"}});
    CHECK(r.code == 0);

    // An existing backup file is never overwritten; a missing database is not created.
    r = run_cli({"db", "backup", copy, "--database", db}, {});
    CHECK(r.code == 1);
    CHECK_THAT(r.err, Catch::Contains("already exists"));
    r = run_cli({"audit", "verify", "--database", dir.file("typo.db")}, {});
    CHECK(r.code == 1);
    CHECK_THAT(r.err, Catch::Contains("no database at"));
    CHECK_FALSE(std::filesystem::exists(dir.file("typo.db")));
}
