#include "workflow/petition.hpp"

#include <algorithm>

namespace checkpoint::workflow {

namespace {

error fail(std::string_view code, std::string message) { return error{std::string(code), std::move(message)}; }

// What a person tried, in words ("approved"), for the refusal; workers' events read as "changed that way".
std::string_view done_as(event_kind k)
{
    switch (k) {
    case event_kind::approve: return "approved";
    case event_kind::deny: return "denied";
    case event_kind::cancel: return "cancelled";
    case event_kind::revoke: return "revoked";
    case event_kind::request_extension: return "extended";
    case event_kind::escalate: return "escalated";
    case event_kind::reroute: return "re-routed";
    case event_kind::start_provisioning:
    case event_kind::provisioned:
    case event_kind::provisioning_failed:
    case event_kind::expire: return "changed that way";
    }
    return "changed that way";
}

error illegal(const petition& p, const event& e)
{
    return fail(petition_error::illegal_transition, "Request " + p.id + " is " + std::string(name(p.state)) +
                                                        (p.review_pending ? " (awaiting break-glass review)" : "") +
                                                        ", so it cannot be " + std::string(done_as(e.kind)) + " now.");
}

class effects_builder {
public:
    explicit effects_builder(const petition& p) : p_(p) {}

    void tell(notice what) { person(p_.requester(), what); }
    void person(const std::string& id, notice what) { push({effect_kind::notify_person, what, id, 0, {}}); }
    void channel(const std::string& id, notice what) { push({effect_kind::notify_channel, what, id, 0, {}}); }
    void update_cards() { push({effect_kind::update_cards, notice::submitted, {}, 0, {}}); }
    void provision() { push({effect_kind::provision, notice::approved, p_.requester(), 0, {}}); }
    void send_new_end() { push({effect_kind::provision, notice::extended, p_.requester(), 0, {}}); }
    void release() { push({effect_kind::release, notice::revoked, p_.requester(), 0, {}}); }
    void schedule_expiry(time_point at) { push({effect_kind::schedule_expiry, notice::expired, {}, 0, at}); }
    void cancel_expiry() { push({effect_kind::cancel_expiry, notice::expired, {}, 0, {}}); }
    void reminder(std::size_t step, time_point at, notice what)
    {
        push({effect_kind::schedule_reminder, what, {}, step, at});
    }

    // Cards for a step: in its channels, and to its reviewers (all, or the one assigned).
    void cards(const route_step& s, std::size_t step, std::size_t assigned, notice what)
    {
        for (const auto& c : s.channels)
            push({effect_kind::post_card, what, c, step, {}});
        if (s.assign == assign_mode::round_robin) {
            if (!s.reviewers.empty())
                push({effect_kind::post_card, what, s.assignee(assigned).person_id, step, {}});
            return;
        }
        for (const auto& r : s.reviewers)
            push({effect_kind::post_card, what, r.person_id, step, {}});
    }

    void post_card(const std::string& to, std::size_t step, notice what)
    {
        push({effect_kind::post_card, what, to, step, {}});
    }

    std::vector<effect> take() { return std::move(out_); }

private:
    void push(effect e) { out_.push_back(std::move(e)); }

    const petition& p_;
    std::vector<effect> out_;
};

// The grant moves its end by `added` without a gap: no revoke, only a new expiry.
// Grants `added` more; `decided` is the route the total was decided on, whose rule the petition's
// own rule line now ends with ("…; extended to 2 days: api-team approves: …").
void lengthen(petition& p, duration added, const route& decided, time_point now, effects_builder& fx)
{
    p.route.length += added;
    p.route.rule_reason += (p.route.rule_reason.empty() || p.route.rule_reason.ends_with('.') ? " " : ". ") +
                           std::string("Extended to ") + describe_duration(p.route.length) + ": " + decided.rule_reason;
    if (p.ends_at) {
        *p.ends_at += added;
        fx.schedule_expiry(*p.ends_at);
        fx.reminder(0, expiry_reminder_at(now, *p.ends_at, p.route.expiring_before), notice::expiring);
        // A receiver that enforces the grant's end would otherwise cut the access off at the old one.
        fx.send_new_end();
    }
    fx.tell(notice::extended);
    fx.update_cards();
}

// Who joins a broadcast step nobody answered within escalate_after: for a manager step, the next
// manager up the requester's chain who is not already asked, not the requester and not out of office;
// for any other step, the platform team (unless it is the platform's own step). Empty when no one is left.
std::vector<reviewer> fallback_reviewers(const petition& p, const route& r, const route_step& s, const directory& dir,
                                         time_point now)
{
    std::vector<reviewer> out;
    const auto requester = dir.find(p.requester());
    const auto why = "asked too: no answer from the step's reviewers within " + describe_duration(r.escalate_after);
    auto eligible = [&](person_index i) {
        return i != no_person && i != requester && !dir.is_away(i, now) && !s.has_reviewer(dir.at(i).id);
    };
    if (s.kind == step_kind::manager) {
        if (requester == no_person)
            return out;
        std::vector<person_index> seen;
        for (auto cur = dir.manager_of(requester); cur != no_person; cur = dir.manager_of(cur)) {
            if (std::find(seen.begin(), seen.end(), cur) != seen.end())
                break;
            seen.push_back(cur);
            if (eligible(cur)) {
                out.push_back({dir.at(cur).id, dir.at(cur).name,
                               dir.at(cur).name + ": next manager up for " + r.requester_name + ", " + why});
                break;
            }
        }
        return out;
    }
    if (s.kind == step_kind::platform || r.platform_team.empty())
        return out;
    for (auto i : dir.team_members(r.platform_team))
        if (eligible(i))
            out.push_back({dir.at(i).id, dir.at(i).name, dir.at(i).name + ": on " + r.platform_team + ", " + why});
    return out;
}

// The round a decision belongs to: the request's steps, or those of the extension asked for at `since`
// (its steps are recorded as "extension: <name>").
struct round {
    std::string_view prefix;
    time_point since{};
};

// Checks that `by` may decide the current step of `r`; shared by petitions and extensions.
result<void> check_reviewer(const petition& p, const route& r, const approval_progress& progress, const event& e,
                            const round& in)
{
    if (e.by == p.requester())
        return fail(petition_error::self_approval, "You cannot approve or deny your own request.");
    const auto& s = r.steps[progress.step];
    if (!s.has_reviewer(e.by)) {
        std::string names;
        for (const auto& rv : s.reviewers)
            names += (names.empty() ? "" : ", ") + rv.name;
        return fail(petition_error::not_a_reviewer,
                    "Only the reviewers of the " + s.name + " step can decide on request " + p.id + ": " + names + ".");
    }
    if (s.assign == assign_mode::round_robin && !s.reviewers.empty() && s.assignee(progress.assigned).person_id != e.by)
        return fail(petition_error::not_assigned, "The " + s.name + " step of request " + p.id + " is assigned to " +
                                                      s.assignee(progress.assigned).name + " right now.");
    if (e.kind == event_kind::approve &&
        std::find(progress.approvals.begin(), progress.approvals.end(), e.by) != progress.approvals.end())
        return fail(petition_error::already_approved, "You already approved this step of request " + p.id + ".");
    // Separation of duties: each step is a different person's approval, even when someone (a manager
    // on the owning team) reviews two of them.
    const std::string current = std::string(in.prefix) + s.name;
    if (e.kind == event_kind::approve &&
        std::any_of(p.decisions.begin(), p.decisions.end(), [&](const decision_record& d) {
            return d.by == e.by && d.approved && d.at >= in.since && d.step.starts_with(in.prefix) && d.step != current;
        }))
        return fail(petition_error::second_step, "You approved an earlier step of request " + p.id +
                                                     ", so another reviewer approves the " + s.name + " step.");
    return {};
}

// Records an approval; returns true when the whole route is approved.
bool record_approval(const route& r, approval_progress& progress, const std::string& by, time_point at,
                     effects_builder& fx, notice next_card)
{
    progress.approvals.push_back(by);
    const auto& s = r.steps[progress.step];
    if (progress.approvals.size() < s.min_approvals) {
        fx.update_cards();
        return false;
    }
    ++progress.step;
    progress.approvals.clear();
    progress.assigned = 0;
    if (progress.step == r.steps.size())
        return true;
    fx.update_cards();
    fx.cards(r.steps[progress.step], progress.step, 0, next_card);
    fx.reminder(progress.step, at + r.pending_after, notice::reminder);
    return false;
}

result<transition> decide_pending(const petition& p, const event& e)
{
    if (auto ok = check_reviewer(p, p.route, p.progress, e, {"", p.created_at}); !ok)
        return ok.error();
    if (e.shorten_to && e.kind == event_kind::approve &&
        (*e.shorten_to < std::chrono::minutes{1} || *e.shorten_to >= p.route.length))
        return fail("bad_duration",
                    "Approve for less than the " + describe_duration(p.route.length) +
                        " asked (at least 1 minute), or approve as asked.");
    transition t{p, {}};
    auto& n = t.petition;
    effects_builder fx(n);
    n.decisions.push_back({e.by, p.route.steps[p.progress.step].name, e.kind == event_kind::approve, e.at, e.reason});
    if (e.shorten_to && e.kind == event_kind::approve) {
        // Each step may shorten it further; the requester's own ask is kept for the messages.
        if (!n.asked_length)
            n.asked_length = n.route.length;
        n.route.length = *e.shorten_to;
        n.decisions.back().granted = *e.shorten_to;
    }
    if (e.kind == event_kind::deny) {
        n.state = petition_state::denied;
        n.closed_by = e.by;
        n.close_reason = e.reason;
        fx.tell(notice::denied);
        fx.update_cards();
    } else if (record_approval(n.route, n.progress, e.by, e.at, fx, notice::submitted)) {
        n.state = petition_state::approved;
        fx.tell(notice::approved);
        fx.update_cards();
        fx.provision();
    } else {
        fx.tell(notice::step_approved);
    }
    t.effects = fx.take();
    return t;
}

result<transition> decide_extension(const petition& p, const event& e)
{
    const auto& ext = *p.pending_extension;
    if (auto ok = check_reviewer(p, ext.route, ext.progress, e, {"extension: ", ext.requested_at}); !ok)
        return ok.error();
    transition t{p, {}};
    auto& n = t.petition;
    effects_builder fx(n);
    auto& next = *n.pending_extension;
    n.decisions.push_back({e.by, "extension: " + ext.route.steps[ext.progress.step].name,
                           e.kind == event_kind::approve, e.at, e.reason});
    if (e.kind == event_kind::deny) {
        n.pending_extension.reset();
        fx.tell(notice::extension_denied);
        fx.update_cards();
    } else if (record_approval(next.route, next.progress, e.by, e.at, fx, notice::extension_requested)) {
        const auto added = next.added;
        const auto decided = next.route;
        n.pending_extension.reset();
        lengthen(n, added, decided, e.at, fx);
    } else {
        fx.tell(notice::step_approved);
    }
    t.effects = fx.take();
    return t;
}

result<transition> review(const petition& p, const event& e)
{
    if (e.by == p.requester())
        return fail(petition_error::self_approval, "You cannot review your own break-glass access.");
    if (p.route.steps.empty() || !p.route.steps.front().has_reviewer(e.by))
        return fail(petition_error::not_a_reviewer,
                    "Only " + p.route.platform_team + " reviews break-glass request " + p.id + ".");
    transition t{p, {}};
    auto& n = t.petition;
    effects_builder fx(n);
    n.review_pending = false;
    n.decisions.push_back({e.by, p.route.steps.front().name, e.kind == event_kind::approve, e.at, e.reason});
    if (e.kind == event_kind::approve) {
        fx.tell(notice::reviewed);
        fx.update_cards();
    } else {
        n.state = petition_state::revoked;
        n.closed_by = e.by;
        n.close_reason = e.reason;
        n.pending_extension.reset();
        fx.release();
        fx.cancel_expiry();
        fx.tell(notice::revoked);
        fx.update_cards();
    }
    t.effects = fx.take();
    return t;
}

bool may_revoke(const petition& p, const std::string& by, const directory& dir)
{
    // "checkpoint": the service ends the access of someone who left the directory (plan_departures).
    if (by == p.requester() || by == "checkpoint")
        return true;
    auto who = dir.find(by);
    if (who == no_person)
        return false;
    const auto& team = dir.at(who).team;
    return !team.empty() && (team == p.route.owner_team || team == p.route.platform_team);
}

} // namespace

time_point expiry_reminder_at(time_point from, time_point ends, duration before)
{
    const auto halfway = from + (ends - from) / 2;
    return std::max(ends - before, halfway);
}

std::string_view name(notice n)
{
    using enum notice;
    switch (n) {
    case submitted: return "submitted";
    case step_approved: return "step_approved";
    case approved: return "approved";
    case auto_approved: return "auto_approved";
    case denied: return "denied";
    case cancelled: return "cancelled";
    case active: return "active";
    case expiring: return "expiring";
    case expired: return "expired";
    case revoked: return "revoked";
    case failed: return "failed";
    case break_glass: return "break_glass";
    case review_requested: return "review_requested";
    case reviewed: return "reviewed";
    case extension_requested: return "extension_requested";
    case extended: return "extended";
    case extension_denied: return "extension_denied";
    case extension_cancelled: return "extension_cancelled";
    case reassigned: return "reassigned";
    case reminder: return "reminder";
    case revoke_failed: return "revoke_failed";
    case deprecated: return "deprecated";
    case override_granted: return "override_granted";
    case rerouted: return "rerouted";
    case withdrawn: return "withdrawn";
    case extension_withdrawn: return "extension_withdrawn";
    }
    return "submitted";
}

std::optional<notice> parse_notice(std::string_view s)
{
    for (int i = 0; i <= static_cast<int>(last_notice); ++i)
        if (name(static_cast<notice>(i)) == s)
            return static_cast<notice>(i);
    return std::nullopt;
}

std::vector<petition_state> blocking_states(bool break_glass)
{
    std::vector<petition_state> out{petition_state::approved, petition_state::provisioning, petition_state::active};
    if (!break_glass)
        out.insert(out.begin(), petition_state::pending);
    return out;
}

error already_open(const petition& open)
{
    const auto& what = open.entitlement();
    switch (open.state) {
    case petition_state::pending:
        return fail(petition_error::already_open,
                    "You already asked for " + what + ": request " + open.id + " is waiting for approval. `/checkpoint status " +
                        open.id + "` shows where it stands, and `/checkpoint cancel " + open.id + "` withdraws it.");
    case petition_state::active:
        return fail(petition_error::already_open,
                    "You already have access to " + what + " (request " + open.id +
                        (open.ends_at ? ", until " + describe_day(*open.ends_at) : std::string()) +
                        "). To keep it longer, extend it: `/checkpoint extend " + open.id + " <duration>`.");
    default:
        return fail(petition_error::already_open, "Access to " + what + " is being set up for you already (request " +
                                                      open.id + "); I will tell you when it is active.");
    }
}

bool notice_holds(notice what, const petition& p)
{
    const bool awaits_extension = p.state == petition_state::active && p.pending_extension.has_value();
    switch (what) {
    case notice::submitted: return p.state == petition_state::pending;
    case notice::step_approved:
    case notice::reassigned:
    case notice::reminder: return p.state == petition_state::pending || awaits_extension;
    case notice::extension_requested: return awaits_extension;
    case notice::active:
    case notice::expiring: return p.state == petition_state::active;
    case notice::break_glass:
    case notice::review_requested:
    case notice::deprecated:
        return p.state == petition_state::approved || p.state == petition_state::provisioning ||
               p.state == petition_state::active;
    case notice::approved:
    case notice::auto_approved:
    case notice::denied:
    case notice::cancelled:
    case notice::expired:
    case notice::revoked:
    case notice::failed:
    case notice::reviewed:
    case notice::extended:
    case notice::extension_denied:
    case notice::extension_cancelled:
    case notice::revoke_failed:
    // Who granted it outside the flow, and why: a fact the person and the security channel keep.
    case notice::override_granted:
    // A re-routing or a withdrawal happened; later changes are told after it.
    case notice::rerouted:
    case notice::withdrawn:
    case notice::extension_withdrawn: return true;
    }
    return true;
}

namespace {

bool contains(const std::vector<std::string>& v, const std::string& s) { return std::find(v.begin(), v.end(), s) != v.end(); }

// The manifests changed (event_kind::reroute): the steps still to come take the re-decided route's, the
// approvals given at the waiting step stand for those still its reviewers, and a reload never completes a
// step by itself. Whoever the waiting step gains gets its card; whoever it loses, and the requester, are told.
result<transition> reroute(const petition& p, const event& e)
{
    const bool extension = p.state == petition_state::active && p.pending_extension;
    if (p.state != petition_state::pending && !extension)
        return illegal(p, e);
    transition t{p, {}};
    auto& n = t.petition;
    effects_builder fx(n);
    if (!e.extension_route) {
        // Withdrawn by the service, saying why: the requester is told in those words.
        if (extension) {
            n.pending_extension.reset();
            n.decisions.push_back({e.by, "extension", false, e.at, e.reason});
        } else {
            n.state = petition_state::cancelled;
            n.closed_by = e.by;
            n.close_reason = e.reason;
        }
        fx.tell(extension ? notice::extension_withdrawn : notice::withdrawn);
        fx.update_cards();
        t.effects = fx.take();
        return t;
    }
    route& r = extension ? n.pending_extension->route : n.route;
    approval_progress& progress = extension ? n.pending_extension->progress : n.progress;
    const route& next = *e.extension_route;
    if (next.steps.size() != r.steps.size() || next.requester_id != r.requester_id || next.target != r.target ||
        progress.step >= r.steps.size())
        return fail("bad_reroute", "Request " + p.id + " cannot take a route of another shape, person or target.");
    const auto before = waiting_on(r.steps[progress.step], progress.assigned);
    const auto channels_before = r.steps[progress.step].channels;
    for (std::size_t i = progress.step; i < r.steps.size(); ++i)
        r.steps[i] = next.steps[i];
    // Who owns it now, and the decision's sentence, say the new route too (cards, revocation rights, DMs).
    r.owner_team = next.owner_team;
    r.platform_team = next.platform_team;
    r.rule_reason = next.rule_reason;
    auto& s = r.steps[progress.step];
    std::erase_if(progress.approvals, [&](const std::string& id) { return !s.has_reviewer(id); });
    if (progress.approvals.size() >= s.min_approvals)
        s.min_approvals = progress.approvals.size() + 1;
    // Someone must be left to give the approval still owed (plan_reroute keeps such a step as it was).
    if (s.min_approvals > s.reviewers.size())
        return fail("bad_reroute", "Request " + p.id + "'s waiting step would keep no reviewer who has not approved.");
    if (!s.reviewers.empty())
        progress.assigned %= s.reviewers.size();
    const auto after = waiting_on(s, progress.assigned);
    const auto card = extension ? notice::extension_requested : notice::submitted;
    bool changed = false;
    for (const auto& id : after)
        if (!contains(before, id) && !contains(progress.approvals, id)) {
            fx.post_card(id, progress.step, card);
            changed = true;
        }
    for (const auto& c : s.channels)
        if (!contains(channels_before, c)) {
            fx.post_card(c, progress.step, card);
            changed = true;
        }
    for (const auto& id : before)
        if (!contains(after, id) && id != p.requester()) {
            fx.person(id, notice::rerouted);
            changed = true;
        }
    if (changed)
        fx.tell(notice::rerouted);
    fx.update_cards();
    t.effects = fx.take();
    return t;
}

} // namespace

transition file(const route& r, const filing& f, time_point now)
{
    transition t;
    auto& p = t.petition;
    p.id = f.id;
    p.route = r;
    p.reason = f.reason;
    p.ticket = f.ticket;
    p.filed_by = f.filed_by;
    p.created_at = now;
    p.version = 1;
    effects_builder fx(p);
    switch (r.outcome) {
    case route_outcome::auto_approved:
        p.state = petition_state::approved;
        fx.tell(notice::auto_approved);
        fx.provision();
        break;
    case route_outcome::break_glass:
        p.state = petition_state::approved;
        p.review_pending = !r.steps.empty();
        fx.tell(notice::break_glass);
        // A channel that gets the review card (#security, usually) learns of it from the card alone.
        for (const auto& c : r.notify_channels) {
            const auto& carded = r.steps.empty() ? std::vector<std::string>{} : r.steps.front().channels;
            if (!p.review_pending || std::find(carded.begin(), carded.end(), c) == carded.end())
                fx.channel(c, notice::break_glass);
        }
        fx.provision();
        if (p.review_pending)
            fx.cards(r.steps.front(), 0, 0, notice::review_requested);
        break;
    case route_outcome::override_grant:
        // The admin's grant stands as the one decision: the approver in the log, the actor of the grant.
        p.state = petition_state::approved;
        p.decisions.push_back({f.filed_by, "override", true, now, f.reason});
        fx.tell(notice::override_granted);
        for (const auto& c : r.notify_channels)
            fx.channel(c, notice::override_granted);
        fx.provision();
        break;
    case route_outcome::needs_approval:
        p.state = petition_state::pending;
        fx.tell(notice::submitted);
        fx.cards(r.steps.front(), 0, 0, notice::submitted);
        fx.reminder(0, now + r.pending_after, notice::reminder);
        break;
    }
    t.effects = fx.take();
    return t;
}

result<transition> apply(const petition& p, const event& e, const directory& dir)
{
    auto done = [&](result<transition> r) -> result<transition> {
        if (r)
            ++r->petition.version;
        return r;
    };
    const bool holds_access = p.state == petition_state::approved || p.state == petition_state::provisioning ||
                              p.state == petition_state::active;
    switch (e.kind) {
    case event_kind::approve:
    case event_kind::deny:
        if (p.state == petition_state::pending)
            return done(decide_pending(p, e));
        if (e.shorten_to)
            return fail("bad_duration",
                        "Only a request waiting for approval can be approved for less; request " + p.id + " is " +
                            std::string(name(p.state)) + (p.pending_extension ? " with an extension waiting" : "") +
                            ".");
        // The review of a break-glass grant comes before any extension of it.
        if (holds_access && p.review_pending)
            return done(review(p, e));
        if (p.state == petition_state::active && p.pending_extension)
            return done(decide_extension(p, e));
        return illegal(p, e);

    case event_kind::cancel: {
        if (p.state != petition_state::pending && !(p.state == petition_state::active && p.pending_extension))
            return illegal(p, e);
        if (e.by != p.requester())
            return fail(petition_error::not_requester, "Only the requester can cancel request " + p.id + ".");
        transition t{p, {}};
        effects_builder fx(t.petition);
        if (p.state == petition_state::pending) {
            t.petition.state = petition_state::cancelled;
            t.petition.closed_by = e.by;
            fx.tell(notice::cancelled);
        } else {
            t.petition.pending_extension.reset();
            fx.tell(notice::extension_cancelled);
        }
        fx.update_cards();
        t.effects = fx.take();
        return done(std::move(t));
    }

    case event_kind::start_provisioning: {
        if (p.state != petition_state::approved)
            return illegal(p, e);
        transition t{p, {}};
        t.petition.state = petition_state::provisioning;
        return done(std::move(t));
    }

    case event_kind::provisioned: {
        if (p.state != petition_state::provisioning)
            return illegal(p, e);
        transition t{p, {}};
        auto& n = t.petition;
        effects_builder fx(n);
        n.state = petition_state::active;
        n.active_since = e.at;
        n.ends_at = e.at + n.route.length;
        fx.tell(notice::active);
        fx.schedule_expiry(*n.ends_at);
        fx.reminder(0, expiry_reminder_at(e.at, *n.ends_at, n.route.expiring_before), notice::expiring);
        fx.update_cards();
        t.effects = fx.take();
        return done(std::move(t));
    }

    case event_kind::provisioning_failed: {
        if (p.state != petition_state::provisioning)
            return illegal(p, e);
        transition t{p, {}};
        auto& n = t.petition;
        effects_builder fx(n);
        n.state = petition_state::failed;
        n.close_reason = e.reason;
        // A partial grant may have landed; the ledger decides whether anything must be taken back.
        fx.release();
        fx.tell(notice::failed);
        fx.update_cards();
        t.effects = fx.take();
        return done(std::move(t));
    }

    case event_kind::expire: {
        if (p.state != petition_state::active)
            return illegal(p, e);
        if (e.at < *p.ends_at)
            return fail(petition_error::not_due, "Request " + p.id + " runs until later (it was extended).");
        transition t{p, {}};
        auto& n = t.petition;
        effects_builder fx(n);
        n.state = petition_state::expired;
        n.pending_extension.reset();
        fx.release();
        fx.tell(notice::expired);
        fx.update_cards();
        t.effects = fx.take();
        return done(std::move(t));
    }

    case event_kind::revoke: {
        if (!holds_access)
            return illegal(p, e);
        if (!may_revoke(p, e.by, dir))
            return fail(petition_error::not_allowed_to_revoke,
                        "Only the requester, " + (p.route.owner_team.empty() ? std::string() : p.route.owner_team + " or ") +
                            p.route.platform_team + " can revoke request " + p.id + ".");
        transition t{p, {}};
        auto& n = t.petition;
        effects_builder fx(n);
        n.state = petition_state::revoked;
        n.closed_by = e.by;
        n.close_reason = e.reason;
        n.pending_extension.reset();
        n.review_pending = false;
        fx.release();
        fx.cancel_expiry();
        fx.tell(notice::revoked);
        fx.update_cards();
        t.effects = fx.take();
        return done(std::move(t));
    }

    case event_kind::request_extension: {
        if (p.state != petition_state::active)
            return illegal(p, e);
        if (e.by != p.requester())
            return fail(petition_error::not_requester, "Only the requester can extend request " + p.id + ".");
        if (p.pending_extension)
            return fail(petition_error::extension_pending,
                        "Request " + p.id + " already has an extension waiting for approval.");
        const auto& r = e.extension_route;
        if (e.added.count() <= 0 || !r || r->outcome == route_outcome::break_glass ||
            r->requester_id != p.requester() || r->target != p.entitlement() || r->length != p.length() + e.added)
            return fail(petition_error::bad_extension,
                        "An extension must be decided on the total duration of request " + p.id + ".");
        transition t{p, {}};
        auto& n = t.petition;
        effects_builder fx(n);
        if (r->outcome == route_outcome::auto_approved) {
            n.decisions.push_back({"checkpoint", "extension", true, e.at, {}});
            lengthen(n, e.added, *r, e.at, fx);
        } else {
            n.pending_extension = extension{e.added, e.reason, *r, {}, e.at};
            fx.tell(notice::extension_requested);
            fx.cards(r->steps.front(), 0, 0, notice::extension_requested);
            fx.reminder(0, e.at + r->pending_after, notice::reminder);
        }
        t.effects = fx.take();
        return done(std::move(t));
    }

    case event_kind::reroute: return done(reroute(p, e));

    case event_kind::escalate: {
        route* r = nullptr;
        approval_progress* progress = nullptr;
        transition t{p, {}};
        if (p.state == petition_state::pending) {
            r = &t.petition.route;
            progress = &t.petition.progress;
        } else if (p.state == petition_state::active && p.pending_extension) {
            r = &t.petition.pending_extension->route;
            progress = &t.petition.pending_extension->progress;
        } else {
            return illegal(p, e);
        }
        effects_builder fx(t.petition);
        auto& s = r->steps[progress->step];
        const auto card = p.state == petition_state::pending ? notice::submitted : notice::extension_requested;
        if (s.assign == assign_mode::round_robin && !s.reviewers.empty()) {
            progress->assigned = (progress->assigned + 1) % s.reviewers.size();
            fx.person(s.assignee(progress->assigned).person_id, notice::reassigned);
            fx.tell(notice::reassigned);
            fx.update_cards();
        } else if (auto more = fallback_reviewers(p, *r, s, dir, e.at); !more.empty()) {
            // Nobody answered: the next manager up (a manager step) or the platform team joins the step.
            std::string names;
            for (auto& rv : more) {
                const auto id = rv.person_id;
                names += (names.empty() ? "" : ", ") + rv.name;
                s.reviewers.push_back(std::move(rv));
                fx.post_card(id, progress->step, card);
            }
            s.escalated = "No answer within " + describe_duration(r->escalate_after) + ", so " + names +
                          (more.size() == 1 ? " was" : " were") + " asked too";
            fx.tell(notice::reassigned);
            fx.update_cards();
        } else {
            for (const auto& rv : s.reviewers)
                fx.person(rv.person_id, notice::reminder);
        }
        fx.reminder(progress->step, e.at + r->escalate_after, notice::reminder);
        t.effects = fx.take();
        return done(std::move(t));
    }
    }
    return illegal(p, e);
}

std::optional<time_point> escalation_due(const petition& p)
{
    const bool extension = p.state == petition_state::active && p.pending_extension;
    if (p.state != petition_state::pending && !extension)
        return std::nullopt;
    const auto& r = extension ? p.pending_extension->route : p.route;
    const auto& progress = extension ? p.pending_extension->progress : p.progress;
    if (r.escalate_after <= duration::zero() || progress.step >= r.steps.size())
        return std::nullopt;
    time_point started = extension ? p.pending_extension->requested_at : p.created_at;
    if (started == time_point{})
        return std::nullopt; // an extension asked for before its time was kept
    if (progress.step > 0) {
        const auto current = (extension ? "extension: " : "") + r.steps[progress.step].name;
        for (auto it = p.decisions.rbegin(); it != p.decisions.rend(); ++it)
            if (it->step != current) {
                started = it->at;
                break;
            }
    }
    return started + r.escalate_after;
}

event approve_by(std::string by, time_point at) { return event{event_kind::approve, std::move(by), {}, at, {}, {}}; }
event deny_by(std::string by, std::string reason, time_point at)
{
    return event{event_kind::deny, std::move(by), std::move(reason), at, {}, {}};
}
event cancel_by(std::string by, time_point at) { return event{event_kind::cancel, std::move(by), {}, at, {}, {}}; }
event revoke_by(std::string by, time_point at, std::string reason)
{
    return event{event_kind::revoke, std::move(by), std::move(reason), at, {}, {}};
}
event provisioning_started(time_point at) { return event{event_kind::start_provisioning, {}, {}, at, {}, {}}; }
event provisioned_at(time_point at) { return event{event_kind::provisioned, {}, {}, at, {}, {}}; }
event provisioning_failed_because(std::string reason, time_point at)
{
    return event{event_kind::provisioning_failed, {}, std::move(reason), at, {}, {}};
}
event expire_at(time_point at) { return event{event_kind::expire, {}, {}, at, {}, {}}; }
event extension_of(std::string by, duration added, route decided, time_point at, std::string reason)
{
    return event{event_kind::request_extension, std::move(by), std::move(reason), at, added, std::move(decided)};
}
event escalation(time_point at) { return event{event_kind::escalate, {}, {}, at, {}, {}}; }
event reroute_to(std::optional<route> next, std::string why, time_point at)
{
    return event{event_kind::reroute, "checkpoint", std::move(why), at, {}, std::move(next)};
}

std::vector<std::string> waiting_on(const route_step& s, std::size_t assigned)
{
    std::vector<std::string> out;
    if (s.assign == assign_mode::round_robin) {
        if (!s.reviewers.empty())
            out.push_back(s.assignee(assigned).person_id);
        return out;
    }
    for (const auto& r : s.reviewers)
        out.push_back(r.person_id);
    return out;
}

namespace {

void add_reviewers(std::vector<std::string>& out, const route& r)
{
    for (const auto& s : r.steps)
        for (const auto& rv : s.reviewers)
            if (std::find(out.begin(), out.end(), rv.person_id) == out.end())
                out.push_back(rv.person_id);
}

} // namespace

bool awaits_decision_from(const petition& p, std::string_view person)
{
    const auto current = [&](const route& r, const approval_progress& progress) {
        return progress.step < r.steps.size() && r.steps[progress.step].has_reviewer(person);
    };
    if (p.state == petition_state::pending)
        return current(p.route, p.progress);
    if (p.state == petition_state::active && p.pending_extension)
        return current(p.pending_extension->route, p.pending_extension->progress);
    return false;
}

std::vector<std::string> people_concerned(const petition& p)
{
    std::vector<std::string> out{p.requester()};
    add_reviewers(out, p.route);
    if (p.pending_extension)
        add_reviewers(out, p.pending_extension->route);
    return out;
}

bool may_read_private(const petition& p, std::string_view person)
{
    if (person.empty())
        return false;
    const auto people = people_concerned(p);
    if (std::find(people.begin(), people.end(), person) != people.end() || p.closed_by == person)
        return true;
    return std::any_of(p.decisions.begin(), p.decisions.end(), [&](const decision_record& d) { return d.by == person; });
}

petition public_view(petition p)
{
    p.reason.clear();
    p.ticket.clear();
    p.close_reason.clear();
    for (auto& d : p.decisions)
        d.reason.clear();
    if (p.pending_extension)
        p.pending_extension->reason.clear();
    return p;
}

} // namespace checkpoint::workflow
