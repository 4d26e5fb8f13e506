#include "workflow/reports.hpp"

#include <boost/json/parse.hpp>

#include <algorithm>
#include <cmath>
#include <set>

namespace checkpoint::workflow::reports {

namespace {

std::int64_t seconds_of(duration d) { return static_cast<std::int64_t>(d.count()); }

cell when(const std::optional<time_point>& t)
{
    if (!t)
        return std::monostate{};
    return static_cast<std::int64_t>(std::chrono::duration_cast<std::chrono::seconds>(t->time_since_epoch()).count());
}

bool filed_in(const petition& p, const options& o) { return p.created_at >= o.from && p.created_at < o.until; }

// When the grant stopped: the recorded end for one ended early, else its scheduled end.
std::optional<time_point> grant_end(const petition& p, const options& o)
{
    if (auto it = o.ended_at.find(p.id); it != o.ended_at.end())
        return it->second;
    return p.ends_at;
}

bool held_during(const petition& p, const options& o)
{
    if (!p.active_since || *p.active_since >= o.until)
        return false;
    auto end = grant_end(p, o);
    return !end || *end > o.from;
}

table access_during(const std::vector<petition>& ps, const catalog& bundles, const options& o)
{
    table t{{"petition", "person", "person_name", "bundle", "risk", "from", "until", "state"}, {}, {}};
    std::set<std::string> people;
    for (const auto& p : ps) {
        if (!held_during(p, o))
            continue;
        if (o.bundle.empty()) {
            const auto* b = bundles.find(p.entitlement());
            if (!b || b->level != risk::critical)
                continue;
        } else if (p.entitlement() != o.bundle) {
            continue;
        }
        people.insert(p.requester());
        t.rows.push_back({p.id, p.requester(), p.route.requester_name, p.entitlement(), std::string(name(p.route.level)),
                          when(p.active_since), when(grant_end(p, o)), std::string(name(p.state))});
    }
    t.summary = {{"grants", static_cast<std::int64_t>(t.rows.size())},
                 {"people", static_cast<std::int64_t>(people.size())},
                 {"bundle", o.bundle.empty() ? cell{std::string("every critical bundle")} : cell{o.bundle}}};
    return t;
}

// The columns of a timing row: how many, and the mean, median and p90 of their seconds.
const std::vector<std::string> timing_columns{"group", "count", "mean_seconds", "median_seconds", "p90_seconds"};

std::vector<cell> timing_row(std::string group, std::vector<std::int64_t> v)
{
    std::sort(v.begin(), v.end());
    if (v.empty())
        return {std::move(group), std::int64_t{0}, std::monostate{}, std::monostate{}, std::monostate{}};
    return {std::move(group), static_cast<std::int64_t>(v.size()), mean(v), median(v), percentile(v, 90)};
}

// When the reviewers settled a petition that needed them: its denial, or the approval of its last step
// (extensions' decisions aside); nullopt while undecided, or when it was withdrawn first.
std::optional<time_point> decided_at(const petition& p)
{
    if (p.route.outcome != route_outcome::needs_approval)
        return std::nullopt;
    if (p.state == petition_state::pending || p.state == petition_state::cancelled)
        return std::nullopt;
    std::optional<time_point> last_approval;
    for (const auto& d : p.decisions) {
        if (d.step.starts_with("extension: "))
            continue;
        if (!d.approved)
            return d.at;
        last_approval = d.at;
    }
    return last_approval;
}

table time_to_decision(const std::vector<petition>& ps, const options& o)
{
    table t{timing_columns, {}, {}};
    std::vector<std::int64_t> all, approved, denied;
    for (const auto& p : ps) {
        if (!filed_in(p, o))
            continue;
        const auto at = decided_at(p);
        if (!at)
            continue;
        const auto s = std::chrono::duration_cast<std::chrono::seconds>(*at - p.created_at).count();
        all.push_back(s);
        (p.state == petition_state::denied ? denied : approved).push_back(s);
    }
    t.rows.push_back(timing_row("all", all));
    t.rows.push_back(timing_row("approved", approved));
    t.rows.push_back(timing_row("denied", denied));
    t.summary = {{"decided", static_cast<std::int64_t>(all.size())},
                 {"approved", static_cast<std::int64_t>(approved.size())},
                 {"denied", static_cast<std::int64_t>(denied.size())}};
    return t;
}

table time_to_access(const std::vector<petition>& ps, const options& o)
{
    table t{timing_columns, {}, {}};
    std::vector<std::int64_t> all, manual;
    for (const auto& p : ps) {
        if (!filed_in(p, o) || !p.active_since)
            continue;
        const auto s = std::chrono::duration_cast<std::chrono::seconds>(*p.active_since - p.created_at).count();
        all.push_back(s);
        if (p.route.outcome == route_outcome::needs_approval)
            manual.push_back(s);
    }
    t.rows.push_back(timing_row("all", all));
    t.rows.push_back(timing_row("manual_approval", manual));
    t.summary = {{"granted", static_cast<std::int64_t>(all.size())},
                 {"granted_after_manual_approval", static_cast<std::int64_t>(manual.size())}};
    return t;
}

table bypassed_approval(const std::vector<petition>& ps, const options& o)
{
    // Break-glass (reviewed afterwards) and manual overrides (an admin's exception, with no review step; its
    // granted_by is the admin, "reviewed" is "n/a").
    table t{{"petition", "person", "person_name", "target", "filed_at", "duration_seconds", "reason", "reviewed", "kind",
             "granted_by"},
            {},
            {}};
    std::int64_t unreviewed = 0, glass = 0, overrides = 0;
    for (const auto& p : ps) {
        if (!filed_in(p, o))
            continue;
        if (p.route.outcome == route_outcome::break_glass) {
            ++glass;
            if (p.review_pending)
                ++unreviewed;
            t.rows.push_back({p.id, p.requester(), p.route.requester_name, p.entitlement(), when(p.created_at),
                              seconds_of(p.length()), p.reason, std::string(p.review_pending ? "no" : "yes"),
                              std::string("break_glass"), p.requester()});
        } else if (p.route.outcome == route_outcome::override_grant) {
            ++overrides;
            t.rows.push_back({p.id, p.requester(), p.route.requester_name, p.entitlement(), when(p.created_at),
                              seconds_of(p.length()), p.reason, std::string("n/a"), std::string("override"),
                              p.filed_by});
        }
    }
    t.summary = {{"break_glass", glass}, {"awaiting_review", unreviewed}, {"override", overrides}};
    return t;
}

table duration_by_bundle(const std::vector<petition>& ps, const options& o)
{
    table t{{"target", "requests", "average_seconds", "max_seconds"}, {}, {}};
    struct acc {
        std::int64_t n = 0, total = 0, max = 0;
    };
    std::map<std::string, acc> by;
    for (const auto& p : ps) {
        if (!filed_in(p, o))
            continue;
        auto& a = by[p.entitlement()];
        ++a.n;
        a.total += seconds_of(p.length());
        a.max = std::max(a.max, seconds_of(p.length()));
    }
    std::vector<std::pair<std::string, acc>> sorted(by.begin(), by.end());
    // Longest average first; ties by name so the order is stable.
    std::stable_sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
        return a.second.total * b.second.n > b.second.total * a.second.n;
    });
    for (const auto& [target, a] : sorted)
        t.rows.push_back({target, a.n, static_cast<double>(a.total) / static_cast<double>(a.n), a.max});
    t.summary = {{"targets", static_cast<std::int64_t>(t.rows.size())}};
    return t;
}

table never_requested(const std::vector<petition>& ps, const catalog& bundles, const options& o)
{
    table t{{"bundle", "owner_team", "risk", "deprecated"}, {}, {}};
    std::set<std::string, std::less<>> asked;
    for (const auto& p : ps)
        if (filed_in(p, o))
            asked.insert(p.entitlement());
    for (const auto& b : bundles.bundles())
        if (!asked.contains(b.name))
            t.rows.push_back({b.name, b.owner_team, std::string(name(b.level)), std::string(b.deprecated ? "yes" : "no")});
    t.summary = {{"bundles", static_cast<std::int64_t>(bundles.bundles().size())},
                 {"never_requested", static_cast<std::int64_t>(t.rows.size())}};
    return t;
}

table auto_approval_rate(const std::vector<petition>& ps, const options& o)
{
    table t{{"target", "requests", "auto_approved", "rate"}, {}, {}};
    std::map<std::string, std::pair<std::int64_t, std::int64_t>> by;
    std::int64_t n = 0, autos = 0;
    for (const auto& p : ps) {
        if (!filed_in(p, o))
            continue;
        const bool is_auto = p.route.outcome == route_outcome::auto_approved;
        auto& a = by[p.entitlement()];
        ++a.first;
        ++n;
        if (is_auto) {
            ++a.second;
            ++autos;
        }
    }
    for (const auto& [target, a] : by)
        t.rows.push_back({target, a.first, a.second, static_cast<double>(a.second) / static_cast<double>(a.first)});
    t.summary = {{"requests", n},
                 {"auto_approved", autos},
                 {"rate", n == 0 ? cell{std::monostate{}} : cell{static_cast<double>(autos) / static_cast<double>(n)}}};
    return t;
}

table long_lived_grants(const std::vector<petition>& ps, const options& o)
{
    table t{{"petition", "person", "person_name", "target", "duration_seconds", "from", "until", "state"}, {}, {}};
    for (const auto& p : ps) {
        if (!held_during(p, o) || p.length() < o.min_length)
            continue;
        t.rows.push_back({p.id, p.requester(), p.route.requester_name, p.entitlement(), seconds_of(p.length()),
                          when(p.active_since), when(grant_end(p, o)), std::string(name(p.state))});
    }
    t.summary = {{"grants", static_cast<std::int64_t>(t.rows.size())}, {"min_seconds", seconds_of(o.min_length)}};
    return t;
}

// Failed access attempts in the period, per bundle suggested ("(none)" when no bundle grants what was
// denied): attempts, distinct people, the last one. Most attempts first.
table access_denied(const options& o)
{
    table t{{"bundle", "attempts", "people", "last_at"}, {}, {}};
    struct acc {
        std::int64_t attempts = 0;
        std::set<std::string> people;
        time_point last{};
    };
    std::map<std::string, acc> by;
    std::set<std::string> everyone;
    std::int64_t total = 0, unmatched = 0;
    for (const auto& r : o.denials) {
        const auto& e = r.event;
        if (e.action != "access.denied" || e.at < o.from || e.at >= o.until)
            continue;
        boost::system::error_code ec;
        const auto details = boost::json::parse(e.details, ec);
        std::string bundle = "(none)", person;
        if (!ec && details.is_object()) {
            const auto& d = details.get_object();
            if (const auto* s = d.if_contains("suggested"); s && s->is_string())
                bundle = std::string(s->get_string());
            if (const auto* s = d.if_contains("subject"); s && s->is_string())
                person = std::string(s->get_string());
        }
        auto& a = by[bundle];
        ++a.attempts;
        ++total;
        unmatched += bundle == "(none)";
        if (!person.empty()) {
            a.people.insert(person);
            everyone.insert(person);
        }
        a.last = std::max(a.last, e.at);
    }
    std::vector<std::pair<std::string, acc>> sorted(by.begin(), by.end());
    std::stable_sort(sorted.begin(), sorted.end(),
                     [](const auto& a, const auto& b) { return a.second.attempts > b.second.attempts; });
    for (const auto& [bundle, a] : sorted)
        t.rows.push_back({bundle, a.attempts, static_cast<std::int64_t>(a.people.size()), when(a.last)});
    t.summary = {{"attempts", total}, {"people", static_cast<std::int64_t>(everyone.size())}, {"unmatched", unmatched}};
    return t;
}

} // namespace

std::int64_t percentile(const std::vector<std::int64_t>& sorted, int p)
{
    if (sorted.empty())
        return 0;
    // Nearest rank: the smallest value with at least p% of the values at or below it.
    const auto n = sorted.size();
    auto rank = (static_cast<std::size_t>(p) * n + 99) / 100;
    rank = std::clamp<std::size_t>(rank, 1, n);
    return sorted[rank - 1];
}

std::int64_t mean(const std::vector<std::int64_t>& values)
{
    if (values.empty())
        return 0;
    // Rounded to the nearest second (halves up), over a sum that holds any realistic history.
    long double sum = 0;
    for (auto v : values)
        sum += static_cast<long double>(v);
    return static_cast<std::int64_t>(std::floor(sum / static_cast<long double>(values.size()) + 0.5L));
}

std::int64_t median(const std::vector<std::int64_t>& sorted)
{
    if (sorted.empty())
        return 0;
    const auto n = sorted.size();
    if (n % 2 == 1)
        return sorted[n / 2];
    return (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}

result<table> run(std::string_view report, const std::vector<petition>& ps, const catalog& bundles,
                  const options& o)
{
    if (report == "access-during")
        return access_during(ps, bundles, o);
    if (report == "time-to-access")
        return time_to_access(ps, o);
    if (report == "time-to-decision")
        return time_to_decision(ps, o);
    if (report == "bypassed-approval")
        return bypassed_approval(ps, o);
    if (report == "duration-by-bundle")
        return duration_by_bundle(ps, o);
    if (report == "never-requested")
        return never_requested(ps, bundles, o);
    if (report == "auto-approval-rate")
        return auto_approval_rate(ps, o);
    if (report == "long-lived-grants")
        return long_lived_grants(ps, o);
    if (report == "access-denied")
        return access_denied(o);
    std::string all;
    for (auto n : names)
        all += (all.empty() ? "" : ", ") + std::string(n);
    return error{"unknown_report", "There is no report \"" + std::string(report) + "\"; reports are " + all + "."};
}

} // namespace checkpoint::workflow::reports
