#pragma once

#include "storage/database.hpp"
#include "workflow/session_store.hpp"

namespace checkpoint::storage {

// Web sessions in SQLite, stored as the SHA-256 of the cookie's secret.
class session_store final : public workflow::session_store {
public:
    explicit session_store(database& db) : db_(db) {}

    workflow::result<workflow::opened_session> open(const workflow::web_session& spec, workflow::time_point now,
                                                    const workflow::audit_event& audit) override;
    workflow::result<std::optional<workflow::web_session>> find(std::string_view secret) override;
    workflow::result<bool> end(std::int64_t id, workflow::time_point now, const workflow::audit_event& audit) override;

    // How long a session's row outlives its end (so a browser that comes back hears it ended, not that it is
    // unknown); older rows are deleted when a new session opens.
    static constexpr workflow::duration kept_after_end = std::chrono::hours{24};
    // What a session's cookie starts with.
    static constexpr std::string_view secret_prefix = "cps_";

private:
    database& db_;
};

} // namespace checkpoint::storage
