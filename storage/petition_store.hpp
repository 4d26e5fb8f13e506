#pragma once

#include "storage/connection.hpp"
#include "storage/database.hpp"
#include "workflow/petition_store.hpp"

namespace checkpoint::storage {

// Petitions as JSON of the domain struct, with indexed columns for the request log, their steps,
// reviewers and decisions as rows; every write also appends its audit event and enqueues its jobs.
class petition_store final : public workflow::petition_store {
public:
    explicit petition_store(database& db) : db_(db) {}

    void file_async(workflow::petition_write w, write_done done) override;
    void apply_async(workflow::petition_write w, write_done done) override;
    workflow::result<std::optional<workflow::petition>> find(const std::string& id) override;
    workflow::result<workflow::request_log_page> request_log(const workflow::request_log_query& q) override;
    workflow::result<std::size_t> rotation(const std::string& key) override;
    workflow::result<std::vector<workflow::petition>> awaiting(const std::string& person, std::size_t limit) override;
    workflow::result<std::vector<workflow::petition>> waiting() override;
    workflow::result<std::optional<workflow::petition>> open_for(const std::string& person, const std::string& target,
                                                                 const std::vector<workflow::petition_state>& states) override;

private:
    // The row statements of a filing or a transition, run in the writer's transaction.
    using row_writer = workflow::result<workflow::write_status> (*)(connection&, const workflow::petition_write&,
                                                                    const std::string& body,
                                                                    const workflow::audit_event& audit);
    // Prepares `w` (JSON, normalized audit) on the caller's thread, then hands `row` to the writer.
    void write_petition(workflow::petition_write w, write_done done, row_writer row);

    database& db_;
};

} // namespace checkpoint::storage
