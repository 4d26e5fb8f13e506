#include "bot/api/api_internal.hpp"

#include "app/access_denied.hpp"
#include "blocks/actions.hpp"
#include "workflow/petition_json.hpp"
#include "workflow/intent.hpp"

#include <optional>

namespace checkpoint::bot::api {

namespace {

// `bundle` (a name) or `resource` ({kind, id}), exactly one, as the request's target.
std::string target_of(const json::object& body)
{
    const auto bundle = text_field(body, "bundle", workflow::max_target_length);
    const auto* resource = body.if_contains("resource");
    if (resource && resource->is_null())
        resource = nullptr;
    if (bundle.has_value() == (resource != nullptr))
        fail(code::invalid_request, "Give exactly one of `bundle` (a bundle name) or `resource` "
                                    "({\"kind\": \"customer\", \"id\": \"123\"}).");
    if (bundle) {
        if (bundle->empty() || bundle->find(':') != std::string::npos)
            fail(code::invalid_request, "`bundle` must be a bundle name such as \"api-production\"; resources go "
                                        "in `resource`.");
        return *bundle;
    }
    if (!resource->is_object())
        fail(code::invalid_request, "`resource` must be an object: {\"kind\": \"customer\", \"id\": \"123\"}.");
    const auto& ro = resource->get_object();
    const auto kind = required_text(ro, "kind", 100, "the resource kind, such as \"customer\".", "resource.");
    const auto id = required_text(ro, "id", max_resource_id_length, "the resource's id.", "resource.");
    // Whether it exists is access_service's rule, as for `/checkpoint request customer:123`.
    return kind + ":" + id;
}

} // namespace

// POST and GET /petitions, GET /petitions/{id}, POST /petitions/{id}/<action>: requests and decisions.
response api_router::petitions(call& c)
{
    const auto& dir = c.m().directory;
    const auto now = ctx_.clock.now();

    switch (c.which) {
    case endpoint::petitions_create: {
        need(c.who, scope::requests, "filing a request");
        const auto body = c.body();
        workflow::intent::request r;
        r.target = target_of(body);
        r.length = duration_field(text_field(body, "duration", 40), "duration");
        r.reason = required_text(body, "reason", workflow::max_reason_length,
                                 "say why you need access; reviewers and the audit log read it.");
        r.ticket = text_field(body, "ticket", workflow::max_ticket_length).value_or("");
        if (const auto* bg = body.if_contains("break_glass"); bg && !bg->is_null()) {
            if (!bg->is_bool())
                fail(code::invalid_request, "`break_glass` must be true or false.");
            r.break_glass = bg->get_bool();
        }
        auto requester = text_field(body, "requester", 200);
        if (c.who.personal()) {
            if (requester && dir.find(*requester) != dir.find(c.who.person()))
                fail(code::forbidden, "A personal token files only for its own person (" + c.who.person() +
                                          "); leave out `requester`.");
            requester = c.who.person();
        } else if (!requester) {
            fail(code::invalid_request, "`requester` is required with a service token: the directory id of the "
                                        "person who needs access.");
        }
        // A service token filing for a person is recorded with the filing, in its transaction.
        std::optional<workflow::audit_event> filed_by;
        if (!c.who.personal()) {
            r.filed_by = "token:" + std::to_string(c.who.token.id);
            filed_by = audit_event(c, "api.file_for", "filed for " + *requester, "", json::object{{"requester", *requester}});
        }
        r.via = origin_of(c);
        auto p = must(ctx_.access.submit(*requester, r, std::move(filed_by)));
        return ok(c, petition_out(p), http::status::created);
    }

    case endpoint::override_create: {
        // A manual override: access granted outside the approval flow by an admin, as an exception with its
        // justification, announced in the security channel. It expires and is revoked like any grant.
        need(c.who, scope::admin, "granting access outside the approval flow");
        // The exception names the admin who grants it, and nobody grants themselves: only a person can.
        if (!c.who.personal())
            fail(code::forbidden, "A manual override is granted by a person: use a personal token with the `admin` "
                                  "scope (a service token names no one who could be held to it).");
        const auto body = c.body();
        const auto person = required_text(body, "person", 200, "the directory id (or email) of who gets access.");
        workflow::intent::request r;
        r.target = target_of(body);
        r.length = duration_field(text_field(body, "duration", 40), "duration");
        r.reason = required_text(body, "reason", workflow::max_reason_length,
                                 "the justification: why this access cannot wait for the approval flow. The "
                                 "security channel and the audit log read it.");
        if (r.reason.size() < 10)
            fail(code::invalid_request, "`reason` must be a real justification (at least 10 characters): the "
                                        "security channel and the audit log read it.");
        r.ticket = text_field(body, "ticket", workflow::max_ticket_length).value_or("");
        r.override_by = c.who.person();
        r.filed_by = r.override_by;
        r.via = origin_of(c);
        auto exception = audit_event(c, "override", r.reason, "",
                                     json::object{{"exception", true}, {"person", person}, {"target", r.target},
                                                  {"ticket", r.ticket}});
        auto p = must(ctx_.access.submit(person, r, std::move(exception)));
        return ok(c, petition_out(p), http::status::created);
    }

    case endpoint::access_denied: {
        // A failed access attempt from a log shipper or an integration: which bundles would grant it, the best
        // one suggested to the person in a DM (with Request), the attempt recorded for the access-denied report.
        need(c.who, scope::denials_write, "reporting failed access attempts");
        const auto body = c.body();
        app::denied_attempt a;
        a.person = required_text(body, "person", 200, "the directory id, external id or email of who was denied.");
        a.entitlement = required_text(body, "entitlement", workflow::max_target_length,
                                      "what was denied: a bundle, a provisioning value such as \"api-prod-s3-read\", "
                                      "or \"permission_set: api-production\".");
        a.system = text_field(body, "system", 100).value_or("");
        a.detail = text_field(body, "detail", 1000).value_or("");
        auto answer = must(app::report_access_denied(c.m(), ctx_.petitions, ctx_.audit, a, c.who.actor(),
                                                     origin_of(c), now));
        if (answer.told)
            ctx_.runner.wake();
        json::array bundles;
        for (const auto& m : answer.matches) {
            const auto* b = c.m().catalog.find(m.bundle);
            bundles.push_back(json::object{{"name", m.bundle},
                                           {"matched", m.matched},
                                           {"risk", name(m.level)},
                                           {"owner_team", b ? b->owner_team : std::string()},
                                           {"held", m.held}});
        }
        return ok(c, json::object{{"person", json::object{{"id", answer.person_id}, {"name", answer.person_name}}},
                                  {"entitlement", a.entitlement},
                                  {"bundles", std::move(bundles)},
                                  {"suggested", answer.suggested.empty() ? json::value(nullptr)
                                                                         : json::value(answer.suggested)},
                                  {"told", answer.told}});
    }

    case endpoint::petition_get: {
        auto p = must(ctx_.access.get(c.seg[1]));
        if (!may_see(c.who, p))
            fail(code::not_found, "There is no request " + c.seg[1] + " you can see.");
        return ok(c, petition_out(p));
    }

    case endpoint::petitions_list: {
        const auto limit = c.limit();
        json::array items;
        if (auto a = c.param("awaiting")) {
            if (*a != "me")
                fail(code::invalid_request, "`awaiting` takes only `me`.");
            // Only a reviewer is awaited: without `review` the answer would always be empty, so say why.
            need(c.who, scope::review, "listing the requests awaiting your decision");
            const auto& me = acting_person(c.who, "list what awaits its decision");
            for (const auto& p : must(ctx_.access.awaiting(me, limit)))
                items.push_back(petition_out(p));
            return ok(c, json::object{{"items", std::move(items)}, {"next_cursor", nullptr}});
        }
        workflow::request_log_query q;
        q.limit = limit;
        q.cursor = c.param("cursor").value_or("");
        if (auto m = c.param("mine")) {
            if (*m != "true" && *m != "false")
                fail(code::invalid_request, "`mine` is true or false.");
            if (*m == "true")
                q.person = acting_person(c.who, "list its own requests");
        }
        if (auto person = c.param("person"); person && !person->empty()) {
            if (q.person && *q.person != *person)
                fail(code::invalid_request, "`mine=true` and `person` name different people.");
            q.person = *person;
        }
        if (auto b = c.param("bundle"); b && !b->empty())
            q.target = *b;
        if (auto s = c.param("state"); s && !s->empty()) {
            q.state = workflow::parse_petition_state(*s);
            if (!q.state)
                fail(code::invalid_request, "`state` is one of pending, approved, provisioning, active, denied, "
                                            "cancelled, expired, revoked, failed.");
        }
        q.from = c.time_param("from", false);
        q.until = c.time_param("until", true);
        auto page = must(ctx_.petitions.request_log(q));
        // Anyone may read the log; what a request keeps private only those may_see allows.
        for (const auto& p : page.petitions)
            items.push_back(may_see(c.who, p) ? petition_out(p) : public_out(p));
        return ok(c, json::object{{"items", std::move(items)},
                               {"next_cursor", page.next.empty() ? json::value(nullptr) : json::value(page.next)}});
    }

    case endpoint::petition_wait: break; // answered in handle_async

    case endpoint::petition_act: {
        const auto& id = c.seg[1];
        const auto& action = c.seg[2];
        const auto body = c.body();
        // The same row of the action table as the Slack button: the event, and who may press it.
        const auto* row = blocks::find_api_verb(action);
        if (!row || !row->event)
            fail(code::not_found, "There is no action \"" + action.substr(0, 40) + "\".");
        const std::string doing(row->doing);
        switch (row->who) {
        case blocks::who_may::reviewer: need(c.who, scope::review, doing); break;
        case blocks::who_may::requester: need(c.who, scope::requests, doing); break;
        case blocks::who_may::requester_or_reviewer:
            if (!c.who.has(scope::requests) && !c.who.has(scope::review))
                fail(code::forbidden,
                     "This token lacks the `requests` or `review` scope, one of which " + doing + " needs.");
            break;
        case blocks::who_may::anyone: break;
        }
        const auto& me = acting_person(c.who, action);
        const auto reason = text_field(body, "reason", workflow::max_reason_length).value_or("");
        auto acted = [&](const workflow::event& e) {
            return ok(c, petition_out(must(ctx_.access.act(id, workflow::through(e, origin_of(c)))).petition));
        };
        switch (*row->event) {
        case workflow::event_kind::approve: {
            auto e = workflow::approve_by(me, now);
            e.reason = reason;
            // The approver may grant less than was asked.
            e.shorten_to = duration_field(text_field(body, "duration", 40), "duration");
            return acted(e);
        }
        case workflow::event_kind::deny:
            return acted(workflow::deny_by(me,
                                           required_text(body, "reason", workflow::max_reason_length,
                                                         "say why, in a few words: the requester reads this."),
                                           now));
        case workflow::event_kind::cancel: return acted(workflow::cancel_by(me, now));
        case workflow::event_kind::revoke: return acted(workflow::revoke_by(me, now, reason));
        case workflow::event_kind::request_extension:
            break;
        case workflow::event_kind::start_provisioning:
        case workflow::event_kind::provisioned:
        case workflow::event_kind::provisioning_failed:
        case workflow::event_kind::expire:
        case workflow::event_kind::escalate:
        case workflow::event_kind::reroute:
            fail(code::not_found, "There is no action \"" + action + "\".");
        }
        auto added = duration_field(text_field(body, "duration", 40), "duration");
        if (!added)
            fail(code::invalid_request, "`duration` is required: how much longer, such as \"1d\".");
        return ok(c, petition_out(must(ctx_.access.extend(id, me, *added, reason, origin_of(c))).petition));
    }

    default:
        break;
    }
    fail(code::internal, "unrouted endpoint");
}

} // namespace checkpoint::bot::api
