#include "bot/slack_home.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>

namespace checkpoint::bot {

namespace {

// A petition's route names a few dozen reviewers at most; more is a directory mistake, not a reason
// to publish hundreds of Home tabs for one click.
constexpr std::size_t max_people_per_change = 50;

} // namespace

workflow::job_spec home_job_for_slack_user(std::string_view slack_user_id, workflow::time_point now)
{
    return {std::string(publish_home_kind), "home/slack/" + std::string(slack_user_id),
            boost::json::serialize(boost::json::object{{"user", slack_user_id}}), now,
            workflow::on_duplicate::replace};
}

workflow::job_spec home_job_for_person(std::string_view person_id, workflow::time_point now)
{
    return {std::string(publish_home_kind), "home/person/" + std::string(person_id),
            boost::json::serialize(boost::json::object{{"person", person_id}}), now,
            workflow::on_duplicate::replace};
}

void add_home_jobs(std::vector<workflow::job_spec>& jobs, const workflow::petition* before,
                   const workflow::petition& after, workflow::time_point now)
{
    auto people = workflow::people_concerned(after);
    if (before)
        for (auto& person : workflow::people_concerned(*before))
            if (std::find(people.begin(), people.end(), person) == people.end())
                people.push_back(std::move(person));
    if (people.size() > max_people_per_change)
        people.resize(max_people_per_change);
    for (const auto& person : people)
        jobs.push_back(home_job_for_person(person, now));
}

} // namespace checkpoint::bot
