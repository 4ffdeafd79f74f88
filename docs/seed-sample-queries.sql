-- The spec's three sample queries, verbatim; the tests run them unmodified.

SELECT m.* 
FROM modules m
JOIN user_progress up ON m.id = up.module_id
WHERE up.user_id = :user_id 
  AND up.status = 'completed'
ORDER BY m.order_index;

SELECT 
    m.*,
    json_agg(DISTINCT l.*) as lessons,
    json_agg(DISTINCT a.*) as assessments
FROM modules m
LEFT JOIN lessons l ON m.id = l.module_id
LEFT JOIN assessments a ON m.id = a.module_id
WHERE m.id = :module_id
GROUP BY m.id;

SELECT 
    m.title as module,
    COUNT(qa.id) as attempts,
    SUM(CASE WHEN qa.is_correct THEN 1 ELSE 0 END) as correct,
    AVG(CASE WHEN qa.is_correct THEN 100.0 ELSE 0.0 END) as accuracy
FROM quiz_attempts qa
JOIN assessments a ON qa.assessment_id = a.id
JOIN modules m ON a.module_id = m.id
WHERE qa.user_id = :user_id
GROUP BY m.id, m.title
ORDER BY m.id;
