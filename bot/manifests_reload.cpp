#include "bot/manifests_reload.hpp"

#include "bot/job_handlers.hpp"

#include <openssl/evp.h>
#include <spdlog/spdlog.h>

#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>

namespace checkpoint::bot {

namespace fs = std::filesystem;

namespace {

std::optional<std::string> read_file(const fs::path& p)
{
    std::ifstream in(p, std::ios::binary);
    if (!in)
        return std::nullopt;
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

std::string first_line(const std::string& s)
{
    auto end = s.find_first_of("\r\n");
    return s.substr(0, end);
}

bool is_sha(std::string_view s)
{
    return s.size() == 40 && s.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

// The commit HEAD names in the repository holding `dir`, read from git's files (HEAD, the ref it names,
// packed-refs; a worktree's commondir): no git binary needed.
std::string git_commit(const fs::path& dir)
{
    std::error_code ec;
    auto at = fs::canonical(dir, ec);
    if (ec)
        return {};
    for (; !at.empty(); at = at.parent_path()) {
        const auto dot = at / ".git";
        fs::path gitdir;
        if (fs::is_directory(dot, ec)) {
            gitdir = dot;
        } else if (fs::is_regular_file(dot, ec)) {
            auto text = read_file(dot);
            if (!text || !text->starts_with("gitdir: "))
                return {};
            gitdir = fs::path(first_line(text->substr(8)));
            if (gitdir.is_relative())
                gitdir = at / gitdir;
        }
        if (!gitdir.empty()) {
            auto head = read_file(gitdir / "HEAD");
            if (!head)
                return {};
            const auto line = first_line(*head);
            if (is_sha(line))
                return line;
            if (!line.starts_with("ref: "))
                return {};
            const auto ref = line.substr(5);
            fs::path common = gitdir;
            if (auto c = read_file(gitdir / "commondir")) {
                common = fs::path(first_line(*c));
                if (common.is_relative())
                    common = gitdir / common;
            }
            for (const auto& base : {gitdir, common})
                if (auto sha = read_file(base / ref); sha && is_sha(first_line(*sha)))
                    return first_line(*sha);
            if (auto packed = read_file(common / "packed-refs")) {
                std::istringstream lines(*packed);
                for (std::string l; std::getline(lines, l);)
                    if (l.size() > 41 && l.substr(41) == ref && is_sha(l.substr(0, 40)))
                        return l.substr(0, 40);
            }
            return {};
        }
        if (at == at.root_path())
            break;
    }
    return {};
}

} // namespace

app::manifests_version manifests_version_of(const fs::path& dir)
{
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> md(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    EVP_DigestInit_ex(md.get(), EVP_sha256(), nullptr);
    for (const auto& f : loader::manifest_files(dir)) {
        const auto rel = f.lexically_relative(dir).generic_string();
        const auto bytes = read_file(f).value_or("");
        const auto head = rel + '\0' + std::to_string(bytes.size()) + '\0';
        EVP_DigestUpdate(md.get(), head.data(), head.size());
        EVP_DigestUpdate(md.get(), bytes.data(), bytes.size());
    }
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    EVP_DigestFinal_ex(md.get(), out, &n);
    static constexpr char hex[] = "0123456789abcdef";
    std::string text;
    for (unsigned int i = 0; i < n; ++i) {
        text += hex[out[i] >> 4];
        text += hex[out[i] & 0xf];
    }
    return {text, git_commit(dir)};
}

manifests_read read_manifests(const fs::path& dir)
{
    manifests_read out;
    // Hashed before and after reading: a folder changing under the reader (a checkout half done) is not taken.
    for (int attempt = 0; attempt < 3; ++attempt) {
        auto before = manifests_version_of(dir);
        auto loaded = loader::load_manifests(dir);
        auto after = manifests_version_of(dir);
        if (before.hash != after.hash)
            continue;
        out.version = std::move(after);
        if (!loaded) {
            out.problems = std::move(loaded.error().errors);
            return out;
        }
        out.manifests = std::move(*loaded);
        return out;
    }
    out.problems.push_back({dir.generic_string(), 0, "", "kept changing while it was read; reload again once it is written"});
    return out;
}

reload_answer reload_from_disk(service_context& ctx, const std::string& by, const workflow::origin& via)
{
    // One read and swap at a time, so a reload that read the files earlier never lands after one that read them later.
    static std::mutex one_at_a_time;
    std::lock_guard lock(one_at_a_time);
    reload_answer answer;
    const auto& dir = ctx.cfg.manifests_path;
    auto read = read_manifests(dir);
    if (!read.manifests) {
        for (const auto& p : read.problems)
            spdlog::error("manifests reload: {}", loader::format(p));
        spdlog::error("manifests reload by {}: {} problem(s) in {}; the manifests in force ({}) stay", by,
                      read.problems.size(), dir, ctx.policy.version().hash.substr(0, 12));
        answer.problems = std::move(read.problems);
        return answer;
    }
    auto done = app::reload_manifests(ctx.policy, std::move(*read.manifests), read.version, ctx.access, ctx.petitions,
                                      ctx.audit, by, via, ctx.clock.now(),
                                      ctx.directory ? &ctx.directory->journal() : nullptr);
    if (!done) {
        spdlog::error("manifests reload by {}: {}", by, done.error().message);
        answer.refused = done.error();
        return answer;
    }
    if (!done->changed) {
        spdlog::info("manifests reload by {}: {} is in force already; nothing changed", by,
                     read.version.hash.substr(0, 12));
    } else {
        spdlog::info("manifests reload by {}: {} (commit {}) in force: {}; {} waiting request(s) re-routed", by,
                     read.version.hash.substr(0, 12), read.version.commit.empty() ? "none" : read.version.commit,
                     done->diff.summary(), done->rerouted.size());
        for (const auto& f : done->failures)
            spdlog::error("manifests reload: {}", f);
        // Holders of a bundle deprecated by this version are told (once each), as at start.
        tell_deprecated_holders(ctx);
        ctx.runner.wake();
    }
    answer.done = std::move(*done);
    return answer;
}

} // namespace checkpoint::bot
