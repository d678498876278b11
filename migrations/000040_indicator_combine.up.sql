BEGIN;

-- How the values units report for an indicator make the task's value (issue
-- 18): 'lead' (the lead unit's figure for the whole city), 'each' (every
-- responsible unit must meet the target itself) or 'sum' (the units' values
-- added up). NULL until an administrator sets it: the application then
-- decides from the indicator's wording (workplan.DefaultCombine). A reseed
-- that rewrites an indicator in place keeps the rule.
ALTER TABLE indicators ADD COLUMN combine text CHECK (combine IN ('lead', 'each', 'sum'));

COMMIT;
