#include "admin/audit_key_file.hpp"

#include <boost/algorithm/hex.hpp>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>

namespace checkpoint::admin {

namespace {

constexpr std::size_t min_key_length = 32;
constexpr std::string_view key_variable = "CHECKPOINT_AUDIT_KEY";
constexpr std::string_view file_variable = "CHECKPOINT_AUDIT_KEY_FILE";

std::string trimmed(std::string s)
{
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ' || s.back() == '\t'))
        s.pop_back();
    return s;
}

// The key in `path`, which `named` says how to name in messages.
workflow::result<audit_secret> read_key_file(const std::string& path, const std::string& named)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return workflow::error{"audit_key_unreadable", "cannot read the audit key in " + named + ": " +
                                                           std::strerror(errno)};
    std::ostringstream text;
    text << in.rdbuf();
    audit_secret k;
    k.secret = trimmed(text.str());
    k.source = named;
    if (k.secret.size() < min_key_length)
        return workflow::error{"audit_key_short", "the audit key in " + named + " is " +
                                                      std::to_string(k.secret.size()) + " characters; it must be at "
                                                      "least " + std::to_string(min_key_length) +
                                                      " (make one with `openssl rand -hex 32`)"};
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0 && (st.st_mode & 077) != 0)
        k.warnings.push_back("the audit key file " + path + " can be read by others than its owner; `chmod 600 " +
                             path + "`");
    return k;
}

// A new random key in `path`, created 0600 and never over an existing file.
workflow::result<void> make_key_file(const std::string& path)
{
    std::array<unsigned char, 32> bytes{};
    if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1)
        return workflow::error{"audit_key_unmade", "OpenSSL could not make random bytes for the audit key"};
    std::string hex;
    boost::algorithm::hex_lower(bytes.begin(), bytes.end(), std::back_inserter(hex));
    OPENSSL_cleanse(bytes.data(), bytes.size());
    hex += '\n';
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return workflow::error{"audit_key_unmade", "cannot create the audit key file " + path + ": " +
                                                       std::strerror(errno)};
    const bool written = ::write(fd, hex.data(), hex.size()) == static_cast<ssize_t>(hex.size()) && ::fsync(fd) == 0;
    ::close(fd);
    OPENSSL_cleanse(hex.data(), hex.size());
    if (!written) {
        ::unlink(path.c_str());
        return workflow::error{"audit_key_unmade", "cannot write the audit key file " + path};
    }
    return {};
}

} // namespace

audit_key_settings audit_key_settings_from(const std::function<std::optional<std::string>(std::string_view)>& env)
{
    return {env(key_variable).value_or(""), env(file_variable).value_or("")};
}

std::string default_audit_key_file(const std::string& database_path) { return database_path + ".audit-key"; }

workflow::result<std::optional<audit_secret>> find_audit_key(const audit_key_settings& s,
                                                             const std::string& database_path, bool generate)
{
    if (!s.key.empty() && !s.key_file.empty())
        return workflow::error{"audit_key_conflict", std::string(key_variable) + " and " + std::string(file_variable) +
                                                         " are both set; set one"};
    if (!s.key.empty()) {
        if (s.key.size() < min_key_length)
            return workflow::error{"audit_key_short", std::string(key_variable) + " is " +
                                                          std::to_string(s.key.size()) + " characters; it must be at "
                                                          "least " + std::to_string(min_key_length) +
                                                          " (make one with `openssl rand -hex 32`)"};
        audit_secret k;
        k.secret = s.key;
        k.source = std::string(key_variable);
        return std::optional<audit_secret>(std::move(k));
    }
    if (!s.key_file.empty()) {
        auto k = read_key_file(s.key_file, std::string(file_variable) + " (" + s.key_file + ")");
        if (!k)
            return k.error();
        return std::optional<audit_secret>(std::move(*k));
    }
    // A database on a server has no "beside": its key is given, as production keeps it anyway.
    if (database_path.find("://") != std::string::npos) {
        if (!generate)
            return std::optional<audit_secret>();
        return workflow::error{"audit_key_missing",
                               "the database is on a PostgreSQL server, so there is no key file beside it: set " +
                                   std::string(key_variable) + " or " + std::string(file_variable) +
                                   " (the same key on every replica; make one with `openssl rand -hex 32`)"};
    }
    const auto beside = default_audit_key_file(database_path);
    const auto named = beside + " (beside the database)";
    std::error_code ec;
    bool generated = false;
    if (!std::filesystem::exists(beside, ec)) {
        if (!generate)
            return std::optional<audit_secret>();
        // Made at first start, so the two-command trial works; production keeps the key elsewhere.
        if (auto made = make_key_file(beside); !made && !std::filesystem::exists(beside, ec))
            return made.error();
        generated = true;
    }
    auto k = read_key_file(beside, named);
    if (!k)
        return k.error();
    k->beside_database = true;
    k->generated = generated;
    return std::optional<audit_secret>(std::move(*k));
}

workflow::error explain_audit_key_error(const workflow::error& e, const std::optional<audit_secret>& key)
{
    const std::string set = "set " + std::string(key_variable) + " or " + std::string(file_variable) + " to it";
    if (e.code == "audit_key_mismatch") {
        if (key && key->generated)
            return {e.code, "no audit key is configured and none was beside the database, but its audit chain is "
                            "keyed: it was sealed with a key kept elsewhere; " + set};
        return {e.code, "the audit key from " + (key ? key->source : std::string("nowhere")) +
                            " is not the key this database's audit chain was sealed with; find the key it was "
                            "sealed with and " + set + " (a wrong key is refused, never used to re-seal)"};
    }
    if (e.code == "audit_key_missing")
        return {e.code, "this database's audit chain is keyed and no key was found for it: " + set +
                            " (the server's key), or keep it beside the database as <database>.audit-key"};
    return e;
}

} // namespace checkpoint::admin
