#pragma once

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>

#include <string>

namespace checkpoint::test {

// Petitions in the API contract's shape, as the server sends them.

inline boost::json::object petition_auto_active()
{
    return boost::json::parse(R"J({
      "id": "p-7f3a", "state": "active",
      "requester": {"id": "u-2001", "name": "Lee Lin"},
      "target": {"type": "bundle", "name": "api-production"},
      "owner_team": "api-team", "risk": "high", "duration": "7d", "duration_seconds": 604800,
      "reason": "debugging latency spike", "ticket": null, "break_glass": false,
      "decision": {"outcome": "auto_approved", "why": "Auto-approved: Lee Lin is on api-team, which owns api-production."},
      "steps": [],
      "decisions": [],
      "entitlements": ["AWS permission set via IAM Identity Center (prod IAM role for S3)",
                       "Read/write on production API RDS (api-production cluster)",
                       "Vault paths for api-production secrets (read)"],
      "created_at": "2026-05-24T09:59:58Z", "decided_at": "2026-05-24T09:59:58Z",
      "starts_at": "2026-05-24T10:00:00Z", "ends_at": "2026-05-31T10:00:00Z"})J").as_object();
}

inline boost::json::object petition_pending()
{
    return boost::json::parse(R"J({
      "id": "p-91c2", "state": "pending",
      "requester": {"id": "u-3002", "name": "Sam Support"},
      "target": {"type": "bundle", "name": "api-production"},
      "owner_team": "api-team", "risk": "high", "duration": "7d", "duration_seconds": 604800,
      "reason": "debugging latency spike", "ticket": "PROJ-1234", "break_glass": false,
      "decision": {"outcome": "approval_required", "why": "api-team approves: 7 days of high risk needs owner approval."},
      "steps": [
        {"name": "manager", "kind": "manager", "state": "waiting",
         "reviewers": [{"id": "u-1001", "name": "Mary Major", "why": "Sam Support's manager"}]},
        {"name": "system-owner", "kind": "owner", "state": "waiting",
         "reviewers": [{"id": "u-1002", "name": "Henry Hill", "why": "on call for api-team"},
                       {"id": "u-1003", "name": "Ana Lead", "why": "api-team lead"}]}],
      "decisions": [],
      "entitlements": ["Read/write on production API RDS (api-production cluster)"],
      "created_at": "2026-05-24T10:00:00Z", "decided_at": null, "starts_at": null, "ends_at": null})J").as_object();
}

// The pending petition after its first step approved.
inline boost::json::object petition_second_step()
{
    auto p = petition_pending();
    p["steps"].as_array()[0].as_object()["state"] = "approved";
    p["decisions"] = boost::json::parse(R"([{"by": {"id": "u-1001", "name": "Mary Major"}, "verdict": "approve",
                                               "reason": "", "at": "2026-05-24T10:05:00Z"}])");
    return p;
}

inline boost::json::object petition_denied()
{
    auto p = petition_second_step();
    p["state"] = "denied";
    p["decided_at"] = "2026-05-24T10:20:00Z";
    p["decisions"].as_array().push_back(boost::json::parse(
        R"({"by": {"id": "u-1002", "name": "Henry Hill"}, "verdict": "deny",
            "reason": "use the read replica instead", "at": "2026-05-24T10:20:00Z"})"));
    return p;
}

inline boost::json::object petition_granted_after_approval()
{
    auto p = petition_second_step();
    p["state"] = "active";
    p["steps"].as_array()[1].as_object()["state"] = "approved";
    p["decisions"].as_array().push_back(boost::json::parse(
        R"({"by": {"id": "u-1002", "name": "Henry Hill"}, "verdict": "approve", "reason": "ok",
            "at": "2026-05-24T10:20:00Z"})"));
    p["decided_at"] = "2026-05-24T10:20:00Z";
    p["starts_at"] = "2026-05-24T10:20:02Z";
    p["ends_at"] = "2026-05-31T10:20:02Z";
    return p;
}

inline boost::json::object petition_customer_break_glass()
{
    return boost::json::parse(R"J({
      "id": "p-b00b", "state": "provisioning",
      "requester": {"id": "u-3002", "name": "Sam Support"},
      "target": {"type": "resource", "kind": "customer", "id": "123", "display_name": "Acme Corp"},
      "owner_team": "support", "risk": "medium", "duration": "4h", "duration_seconds": 14400,
      "reason": "BUG-482", "ticket": "BUG-482", "break_glass": true,
      "decision": {"outcome": "break_glass", "why": "Break-glass: granted at once because sev1 incident; security is told."},
      "steps": [{"name": "after-the-fact review", "kind": "owner", "state": "waiting",
                 "reviewers": [{"id": "u-1004", "name": "Sue Support Lead", "why": "support lead"}]}],
      "decisions": [],
      "entitlements": ["Customer 123 in the admin console"],
      "created_at": "2026-05-24T11:00:00Z", "decided_at": "2026-05-24T11:00:00Z",
      "starts_at": null, "ends_at": null})J").as_object();
}

} // namespace checkpoint::test
