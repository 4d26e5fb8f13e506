#pragma once

#include "workflow/audit_log.hpp"
#include "workflow/job_queue.hpp"
#include "workflow/settings.hpp"

#include <boost/json/object.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace checkpoint::app {

// Anchors the audit chain: records its head (seq, plain and keyed hash) and, in the same write, queues
// its post to checkpoint.yaml's security channel (channels.security); with no security channel the
// anchor is recorded as told to "log" only, and the caller logs it. `trigger`: "schedule", "demand" or
// "seal" (with `sealed`, how many events the key sealed).
workflow::result<workflow::audit_anchor> anchor_audit(workflow::audit_log& audit, const workflow::settings& settings,
                                                      workflow::time_point now, std::string trigger, std::string by,
                                                      std::uint64_t sealed = 0);

// The idempotency key of an anchor's post.
std::string anchor_post_key(std::int64_t anchor_id);

// Scheduled anchors: periods of `every` counted from the Unix epoch (a day's starts at midnight UTC).
std::int64_t anchor_period_of(std::chrono::seconds every, workflow::time_point t);
workflow::time_point anchor_period_start(std::chrono::seconds every, std::int64_t period);
// The job that anchors at the start of `period` (one key per period and length, so a restart or a
// second run queues nothing twice).
workflow::job_spec anchor_schedule_job(std::chrono::seconds every, std::int64_t period, workflow::time_point now);

// "SEQ:HASH", an anchor as the security channel shows it (event number, a colon, the 64 hex digits of its keyed
// hash), as an anchor to verify against (seq and mac); an error (code "usage") saying what it must look like.
workflow::result<workflow::audit_anchor> parse_told_anchor(std::string_view text);

// An anchor as the API and the CLI show it: {"id","seq","keyed_hash","hash","at","posted_to","trigger","by"}
// (keyed_hash null for a chain without a key).
boost::json::object anchor_json(const workflow::audit_anchor& a);
// GET /audit/verify's answer (and `checkpoint audit verify --database`'s): {"ok","events","keyed",
// "sealed_before_key","anchor"} and, when broken, {"first_bad","problem"}.
boost::json::object verification_json(const workflow::audit_verification& v);

} // namespace checkpoint::app
